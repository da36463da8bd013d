package org.attribution.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a YAML job file into a {@link JobConfig}, applying command-line overrides first.
 *
 * <p>Overrides are applied to the parsed tree, not to the records, so an override goes through
 * exactly the same binding and checks as the file itself: {@code method.steps=100} is the same
 * as writing it in the file. Every failure becomes an {@link InvalidJobException} naming the file
 * and the key.
 */
public final class JobConfigLoader {

  private static final ObjectMapper YAML = configure(new ObjectMapper(new YAMLFactory()));

  private JobConfigLoader() {}

  /** The mapper used for job files and for writing resolved configurations back out. */
  public static ObjectMapper mapper() {
    return YAML;
  }

  private static ObjectMapper configure(ObjectMapper mapper) {
    return mapper
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
  }

  /**
   * Loads a job file.
   *
   * @param file the YAML file
   * @param overrides dotted keys to values (YAML scalars or flow collections), e.g.
   *     {@code method.steps -> 100}
   */
  public static JobConfig load(Path file, Map<String, String> overrides) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new InvalidJobException("Cannot read job file " + file + ": no such file");
    } catch (IOException e) {
      throw new InvalidJobException("Cannot read job file " + file + ": " + e.getMessage(), e);
    }
    return parse(text, file.toString(), overrides);
  }

  /** Parses job file text; {@code source} names it in messages. */
  public static JobConfig parse(String text, String source, Map<String, String> overrides) {
    JsonNode tree;
    try {
      tree = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw new InvalidJobException("Cannot read job file " + source + ": malformed YAML" + syntaxError(e), e);
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      throw new InvalidJobException("Cannot read job file " + source + ": it is empty");
    }
    if (!tree.isObject()) {
      throw new InvalidJobException("Cannot read job file " + source + ": expected a mapping of keys at the top");
    }
    ObjectNode root = (ObjectNode) tree;
    overrides.forEach((key, value) -> applyOverride(root, key, value, source));
    if (root.get("method") instanceof ObjectNode method && !method.has("name")) {
      method.put("name", Defaults.METHOD);
    }
    try {
      return YAML.treeToValue(root, JobConfig.class);
    } catch (JsonProcessingException e) {
      throw new InvalidJobException("Cannot read job file " + source + ": " + describe(e), e);
    }
  }

  /**
   * SnakeYAML's message quotes two places with a snippet of each: where the construct it was
   * reading began and where reading it failed. The second is where the file is wrong, so the
   * message names that one alone.
   */
  private static String syntaxError(JsonProcessingException e) {
    if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
      Mark mark = yaml.getProblemMark();
      String what = yaml.getContext() == null ? yaml.getProblem() : yaml.getContext() + ", " + yaml.getProblem();
      return JsonErrors.at(mark.getLine() + 1, mark.getColumn() + 1) + ": " + what;
    }
    return JsonErrors.at(e.getLocation()) + ": " + JsonErrors.message(e);
  }

  private static void applyOverride(ObjectNode root, String key, String value, String source) {
    String[] parts = key.split("\\.");
    ObjectNode node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode child = node.get(parts[i]);
      if (child == null || child.isNull()) {
        child = node.putObject(parts[i]);
      } else if (!child.isObject()) {
        throw new InvalidJobException("Cannot apply override " + key + "=" + value + " to " + source
            + ": '" + String.join(".", java.util.Arrays.copyOf(parts, i + 1)) + "' is not a mapping");
      }
      node = (ObjectNode) child;
    }
    JsonNode parsed;
    try {
      parsed = value.isEmpty() ? JsonNodeFactory.instance.nullNode() : YAML.readTree(value);
    } catch (JsonProcessingException e) {
      throw new InvalidJobException("Cannot apply override " + key + "=" + value + ": malformed value", e);
    }
    node.set(parts[parts.length - 1], parsed == null ? JsonNodeFactory.instance.nullNode() : parsed);
  }

  private static String describe(JsonProcessingException e) {
    if (e instanceof UnrecognizedPropertyException unknown) {
      String known = unknown.getKnownPropertyIds().stream()
          .map(Object::toString)
          .collect(Collectors.toCollection(TreeSet::new))
          .stream()
          .collect(Collectors.joining(", "));
      return "unknown key '" + JsonErrors.path(unknown) + "'; known keys here: " + known;
    }
    if (e instanceof InvalidTypeIdException badType) {
      return "unknown method '" + badType.getTypeId() + "' at '" + pathOrRoot(badType)
          + "'; known methods: " + String.join(", ", MethodConfig.IDS);
    }
    if (e instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
      return "'" + JsonErrors.path(mismatch) + "' " + expectation(mismatch.getTargetType())
          + JsonErrors.at(mismatch.getLocation());
    }
    if (e instanceof JsonMappingException mapping && mapping.getCause() instanceof InvalidJobException inner) {
      return inner.getMessage();
    }
    return JsonErrors.message(e);
  }

  private static String expectation(Class<?> type) {
    if (type == null) {
      return "has the wrong type";
    }
    if (type == Integer.class || type == Long.class || type == int.class || type == long.class) {
      return "must be an integer";
    }
    if (type == Double.class || type == double.class) {
      return "must be a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "must be true or false";
    }
    if (type == String.class) {
      return "must be a single value";
    }
    if (java.util.Collection.class.isAssignableFrom(type)) {
      return "must be a list";
    }
    if (Map.class.isAssignableFrom(type) || type.isRecord() || type.isInterface()) {
      return "must be a mapping of keys";
    }
    return "must be a " + type.getSimpleName();
  }

  private static String pathOrRoot(JsonMappingException e) {
    String path = JsonErrors.path(e);
    return path.isEmpty() ? "(top)" : path;
  }
}
