package org.attribution.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.attribution.config.InvalidJobException;
import org.attribution.config.JsonErrors;

/** Reads a vocabulary file: a JSON object mapping each categorical column to its categories. */
public final class Vocabularies {

  /** A second JSON value after the first is a broken file, not something to ignore. */
  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Vocabularies() {}

  /** The vocabularies in {@code path}, or an empty map when {@code path} is null. */
  public static Map<String, List<String>> read(String path, Configuration hadoopConf) {
    if (path == null) {
      return Map.of();
    }
    Path file = new Path(path);
    try (InputStream in = file.getFileSystem(hadoopConf).open(file)) {
      byte[] json = in.readAllBytes();
      if (new String(json, StandardCharsets.UTF_8).isBlank()) {
        throw new InvalidJobException("Cannot read vocabulary file " + path + ": it is empty");
      }
      return JSON.readValue(json, new TypeReference<Map<String, List<String>>>() {});
    } catch (FileNotFoundException e) {
      throw new InvalidJobException("Cannot read vocabulary file " + path + ": no such file");
    } catch (JsonProcessingException e) {
      throw new InvalidJobException("Cannot read vocabulary file " + path + ": " + describe(e), e);
    } catch (IOException e) {
      throw new InvalidJobException("Cannot read vocabulary file " + path + ": " + e.getMessage(), e);
    }
  }

  private static String describe(JsonProcessingException e) {
    // Jackson wraps a syntax error met inside a list or object into a binding error.
    JsonProcessingException syntax = e.getCause() instanceof StreamReadException cause ? cause : e;
    if (syntax instanceof StreamReadException) {
      return "malformed JSON" + JsonErrors.at(syntax.getLocation()) + ": " + JsonErrors.message(syntax);
    }
    String key = e instanceof JsonMappingException mapping ? JsonErrors.path(mapping) : "";
    String what = key.isEmpty() ? "" : key.contains("[") ? ", and '" + key + "' is not a category"
        : ", and '" + key + "' is not a list of categories";
    return "expected a JSON object mapping column names to lists of categories" + what + JsonErrors.at(e.getLocation());
  }
}
