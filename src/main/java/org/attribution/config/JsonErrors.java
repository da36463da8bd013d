package org.attribution.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.regex.Pattern;

/**
 * Where a Jackson error happened, in the words of the job's messages. Jackson's own message
 * appends a source description ("REDACTED (StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION
 * disabled)") and Java type names that mean nothing to whoever wrote the file.
 */
public final class JsonErrors {

  /**
   * How Jackson writes a location inside a message, e.g. where an unclosed list started. Its
   * source description can hold any text: Jackson before 2.16 (Spark 3.5 ships 2.15) puts the
   * parsed text there, brackets and all: {@code [Source: (byte[])"<the text>"; line: 1, column: 10]}.
   */
  private static final Pattern LOCATION =
      Pattern.compile("\\[Source: .*?; line: (\\d+), column: (\\d+)\\]", Pattern.DOTALL);

  private JsonErrors() {}

  /** Jackson's message without its own location, and any location inside it as line and column. */
  public static String message(JsonProcessingException e) {
    return LOCATION.matcher(e.getOriginalMessage()).replaceAll("line $1, column $2");
  }

  /** {@code " (line 3, column 5)"}, or an empty string when Jackson does not know the line. */
  public static String at(JsonLocation location) {
    if (location == null || location.getLineNr() < 1) {
      return "";
    }
    return at(location.getLineNr(), location.getColumnNr());
  }

  /** {@code " (line 3, column 5)"}, both counted from 1. */
  public static String at(int line, int column) {
    return " (line " + line + ", column " + column + ")";
  }

  /** The key path of a binding error as the file spells it, e.g. {@code method.steps} or {@code a[1]}. */
  public static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }
}
