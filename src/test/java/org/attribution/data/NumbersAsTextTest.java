package org.attribution.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The messages for numeric features read as text, without Spark. */
class NumbersAsTextTest {

  private static final String TWO = "Cannot use feature columns 'a', 'b': they have type string, expected numbers";

  @Test
  void severalMarkersCannotAllBeTheNullValue() {
    Map<String, NumbersAsText.Sample> samples = Map.of(
        "a", new NumbersAsText.Sample(List.of("NA"), 1), "b", new NumbersAsText.Sample(List.of("null", "NA"), 2));
    assertEquals(TWO + "; values that are not numbers: a 'NA'; b 'null', 'NA'. These mark missing values, but "
        + "input.options.nullValue reads only one marker as null (e.g. --set input.options.nullValue=NA): write the file "
        + "with one marker", NumbersAsText.message(List.of("a", "b"), samples));
  }

  @Test
  void textThatIsNoMarkerKeepsTheCategoricalHint() {
    Map<String, NumbersAsText.Sample> samples = Map.of(
        "a", new NumbersAsText.Sample(List.of("NA"), 1), "b", new NumbersAsText.Sample(List.of("12%", "7%"), 9));
    assertEquals(TWO + "; values that are not numbers: a 'NA'; b '12%', '7%' and 7 more (list categorical ones in "
        + "features.categorical to one-hot encode them)", NumbersAsText.message(List.of("a", "b"), samples));
  }

  @Test
  void numbersReadAsTextAskForInference() {
    Map<String, NumbersAsText.Sample> none = Map.of("a", new NumbersAsText.Sample(List.of(), 0));
    assertEquals("Cannot use feature column 'a': it has type string, expected a number; every value is a number: set "
        + "input.options.inferSchema=true, or give it a numeric type in input.schema",
        NumbersAsText.message(List.of("a"), none));
  }

  @Test
  void theSettingIsQuotedWhereYamlOrTheShellWouldReadItOtherwise() {
    assertEquals("--set input.options.nullValue=NA", NumbersAsText.nullValueSetting("NA"));
    assertEquals("--set \"input.options.nullValue='null'\"", NumbersAsText.nullValueSetting("null"));
    assertEquals("--set \"input.options.nullValue='?'\"", NumbersAsText.nullValueSetting("?"));
  }
}
