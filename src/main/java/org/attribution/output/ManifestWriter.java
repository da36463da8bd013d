package org.attribution.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Writes run manifests as JSON on any Hadoop file system. */
public final class ManifestWriter {

  private static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT);

  private ManifestWriter() {}

  /** The mapper manifests are written with. */
  public static ObjectMapper json() {
    return JSON;
  }

  /**
   * The manifest as JSON text, with secrets redacted: reader options and settings often carry
   * passwords or keys, and manifests end up in tables that many people read.
   */
  public static String toJson(RunManifest manifest) {
    try {
      return JSON.writeValueAsString(Secrets.redact(JSON.valueToTree(manifest)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write manifest " + manifest.runId() + " as JSON", e);
    }
  }

  /** Writes text to {@code path} as UTF-8, replacing any file there. */
  public static void write(String text, String path, Configuration hadoopConf) {
    Path target = new Path(path);
    try {
      FileSystem fs = target.getFileSystem(hadoopConf);
      try (OutputStream out = fs.create(target, true)) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + path + ": " + e.getMessage(), e);
    }
  }
}
