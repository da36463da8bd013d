package org.attribution.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The reasons for malformed CSV lines, without Spark. */
class MalformedLinesTest {

  @Test
  void aMalformedLineSaysHowManyFieldsOrWhichValueDoesNotParse() {
    StructType schema = StructType.fromDDL("id INT, x DOUBLE, name STRING");
    MalformedLines lines = new MalformedLines(Map.of("header", "true"), schema);
    assertEquals("malformed line: 2 fields, expected 3", lines.call("1,\"a,b\"", RowFactory.create(1, null, null)));
    assertEquals("malformed line: 4 fields, expected 3", lines.call("1,2,c,d", RowFactory.create(1, 2.0, "c")));
    assertEquals("malformed line: 'abc' in column 'x' is not of type double",
        lines.call("1,abc,c", RowFactory.create(1, null, "c")));
    assertEquals(3, new MalformedLines(Map.of("sep", ";"), schema).fieldCount("1;2,5;c"));
  }
}
