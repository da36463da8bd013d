package org.attribution.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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

  /** Writes {@code manifest} to {@code path}, replacing any file there. */
  public static void write(RunManifest manifest, String path, Configuration hadoopConf) {
    Path target = new Path(path);
    try {
      FileSystem fs = target.getFileSystem(hadoopConf);
      try (OutputStream out = fs.create(target, true)) {
        JSON.writeValue(out, manifest);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write manifest " + path + ": " + e.getMessage(), e);
    }
  }
}
