package org.attribution.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Keeps secrets out of what the job writes for people to read. */
public final class Secrets {

  /** Keys that name a secret: password, secret, token, credential, access key (any case or separator). */
  static final Pattern SECRET_KEY = Pattern.compile("(?i).*(pass(word|wd)?|secret|token|credential|access[._-]?key).*");
  static final String REDACTED = "***";

  private Secrets() {}

  /** Whether a setting's key names a secret. */
  public static boolean isSecret(String key) {
    return SECRET_KEY.matcher(key).matches();
  }

  /** Replaces, in place, the value of every field whose name names a secret; returns the node. */
  public static JsonNode redact(JsonNode node) {
    if (node instanceof ObjectNode object) {
      List<String> names = new ArrayList<>();
      object.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        if (isSecret(name) && !object.get(name).isNull()) {
          object.put(name, REDACTED);
        } else {
          redact(object.get(name));
        }
      }
    } else if (node != null && node.isArray()) {
      node.forEach(Secrets::redact);
    }
    return node;
  }
}
