package org.attribution.data;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.attribution.config.InvalidJobException;

/** Reads a vocabulary file: a JSON object mapping each categorical column to its categories. */
public final class Vocabularies {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Vocabularies() {}

  /** The vocabularies in {@code path}, or an empty map when {@code path} is null. */
  public static Map<String, List<String>> read(String path, Configuration hadoopConf) {
    if (path == null) {
      return Map.of();
    }
    Path file = new Path(path);
    try (InputStream in = file.getFileSystem(hadoopConf).open(file)) {
      return JSON.readValue(in, new TypeReference<Map<String, List<String>>>() {});
    } catch (FileNotFoundException e) {
      throw new InvalidJobException("Cannot read vocabulary file " + path + ": no such file");
    } catch (IOException e) {
      throw new InvalidJobException("Cannot read vocabulary file " + path
          + ": expected a JSON object mapping column names to lists of categories (" + e.getMessage() + ")", e);
    }
  }
}
