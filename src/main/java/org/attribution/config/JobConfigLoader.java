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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a YAML job file into a {@link JobConfig}, applying command-line overrides first.
 *
 * <p>Overrides are applied to the parsed tree, not to the records, so an override goes through
 * exactly the same binding and checks as the file itself: {@code method.steps=100} is the same
 * as writing it in the file. Every failure becomes an {@link InvalidJobException} naming the file
 * and the key.
 *
 * <p>An override of {@code method.name} that names another method than the file's starts the
 * {@code method} section from that method's defaults: the file's keys for the other method would
 * only fail as unknown keys. The dropped keys are reported as a note.
 */
public final class JobConfigLoader {

  private static final Logger LOG = LoggerFactory.getLogger(JobConfigLoader.class);

  private static final ObjectMapper YAML = configure(new ObjectMapper(new YAMLFactory()));

  private static final String METHOD_NAME = "method.name";

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

  /** Loads a job file as {@link #load(Path, Map, Consumer)} does, logging its notes. */
  public static JobConfig load(Path file, Map<String, String> overrides) {
    return load(file, overrides, LOG::info);
  }

  /**
   * Loads a job file.
   *
   * @param file the YAML file
   * @param overrides dotted keys to values (YAML scalars or flow collections), applied in the
   *     map's order, e.g. {@code method.steps -> 100}; a null value removes the key from the file,
   *     so it takes its default
   * @param notes receives what the overrides did besides setting keys: the keys dropped when
   *     {@code method.name} switches the method
   */
  public static JobConfig load(Path file, Map<String, String> overrides, Consumer<String> notes) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new InvalidJobException("Cannot read job file " + file + ": no such file");
    } catch (IOException e) {
      throw new InvalidJobException("Cannot read job file " + file + ": " + e.getMessage(), e);
    }
    return parse(text, file.toString(), overrides, notes);
  }

  /** Parses job file text as {@link #parse(String, String, Map, Consumer)} does, logging its notes. */
  public static JobConfig parse(String text, String source, Map<String, String> overrides) {
    return parse(text, source, overrides, LOG::info);
  }

  /**
   * Parses job file text; {@code source} names it in messages. Overrides and notes as for
   * {@link #load(Path, Map, Consumer)}.
   */
  public static JobConfig parse(String text, String source, Map<String, String> overrides, Consumer<String> notes) {
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
    if (overrides.containsKey(METHOD_NAME)) {
      startMethod(root, methodName(overrides.get(METHOD_NAME)), source, notes);
    }
    overrides.forEach((key, value) -> {
      if (value == null) {
        unset(root, key);
      } else {
        applyOverride(root, key, value, source);
      }
    });
    if (root.get("method") instanceof ObjectNode method && !method.hasNonNull("name")) {
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

  /** The method an override of {@code method.name} asks for; unset or null is the default. */
  private static String methodName(String override) {
    JsonNode name = override == null ? null : value(METHOD_NAME, override);
    return name == null || name.isNull() ? Defaults.METHOD : name.asText();
  }

  /**
   * Starts the method section afresh when the command line names another method than the file:
   * the other method's keys, and the background when the new method has none, are dropped.
   */
  private static void startMethod(ObjectNode root, String method, String source, Consumer<String> notes) {
    JsonNode section = root.path("method");
    String fileMethod = section.hasNonNull("name") ? section.get("name").asText() : Defaults.METHOD;
    if (fileMethod.equals(method)) {
      return;
    }
    List<String> dropped = new ArrayList<>();
    if (!section.isMissingNode()) {
      section.fieldNames().forEachRemaining(key -> {
        if (!key.equals("name")) {
          dropped.add("method." + key);
        }
      });
      root.putObject("method");
    }
    JsonNode background = root.path("background");
    if (!background.isMissingNode() && !MethodConfig.usesBackground(method)) {
      background.fieldNames().forEachRemaining(key -> dropped.add("background." + key));
      root.remove("background");
    }
    if (!dropped.isEmpty()) {
      notes.accept("Note: " + METHOD_NAME + "=" + method + " from the command line replaces the " + fileMethod
          + " settings in " + source + "; dropped " + String.join(", ", dropped));
    }
  }

  private static void applyOverride(ObjectNode root, String key, String value, String source) {
    String[] parts = key.split("\\.");
    ObjectNode node = parent(root, parts, true, "Cannot apply override " + key + "=" + value + " to " + source);
    node.set(parts[parts.length - 1], value(key, value));
  }

  /**
   * Removes {@code key}, so it takes its default. A key the file does not have is still checked,
   * by binding it alone, so a misspelt key fails as it would in {@code --set}.
   */
  private static void unset(ObjectNode root, String key) {
    String[] parts = key.split("\\.");
    ObjectNode probe = JsonNodeFactory.instance.objectNode();
    parent(probe, parts, true, "").putNull(parts[parts.length - 1]);
    if (parts.length > 1 && parts[0].equals("method")) {
      JsonNode name = root.path("method").path("name");
      ((ObjectNode) probe.get("method")).put("name", name.isTextual() ? name.asText() : Defaults.METHOD);
    }
    try {
      YAML.treeToValue(probe, JobConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidJobException("Cannot unset " + key + ": " + describe(e), e);
    } catch (JsonProcessingException e) {
      // The key exists; only unknown keys matter here, not whether null is a value it accepts.
    }
    ObjectNode parent = parent(root, parts, false, "Cannot unset " + key);
    if (parent != null) {
      parent.remove(parts[parts.length - 1]);
    }
  }

  /**
   * The mapping that holds the last of {@code parts}. Missing mappings are created when {@code
   * create}, else there is none (null).
   */
  private static ObjectNode parent(ObjectNode root, String[] parts, boolean create, String failure) {
    ObjectNode node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode child = node.get(parts[i]);
      if (child == null || child.isNull()) {
        if (!create) {
          return null;
        }
        child = node.putObject(parts[i]);
      } else if (!child.isObject()) {
        throw new InvalidJobException(failure + ": '" + String.join(".", java.util.Arrays.copyOf(parts, i + 1))
            + "' is not a mapping");
      }
      node = (ObjectNode) child;
    }
    return node;
  }

  /** An override's value: YAML, where an empty value is null. */
  private static JsonNode value(String key, String value) {
    JsonNode parsed;
    try {
      parsed = value.isEmpty() ? null : YAML.readTree(value);
    } catch (JsonProcessingException e) {
      throw new InvalidJobException("Cannot apply override " + key + "=" + value + ": malformed value", e);
    }
    return parsed == null ? JsonNodeFactory.instance.nullNode() : parsed;
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
