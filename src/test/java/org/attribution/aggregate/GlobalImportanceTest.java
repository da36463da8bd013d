package org.attribution.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.attribution.output.ResultSchema;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Global importance statistics against a direct computation over the same rows, overall and per
 * segment, and the merge of partial statistics in any order.
 */
class GlobalImportanceTest {

  static final List<String> FEATURES = List.of("a", "b", "c");
  static final List<String> REGIONS = List.of("north", "south", "east", "tiny");
  static final int MIN_ROWS = 5;
  /** Rows: region, target, three attributions. */
  static final List<Object[]> DATA = new ArrayList<>();
  static Dataset<Row> results;

  @BeforeAll
  static void results() {
    Random random = new Random(11);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 203; i++) {
      String region = i < 3 ? "tiny" : REGIONS.get(random.nextInt(3));
      int target = i % 2;
      double[] attr = {random.nextGaussian() * 2 + 0.5, random.nextGaussian() * 0.1, random.nextDouble() - 0.9};
      DATA.add(new Object[] {region, target, attr});
      rows.add(RowFactory.create((long) i, target, "t" + target, 1.0, null, 0.5, 1e-7 * (i % 7 - 3), region,
          attr[0], attr[1], attr[2]));
    }
    StructType schema = ResultSchema.of(DataTypes.LongType, FEATURES, List.of("region"), false);
    results = SparkTestSession.get().createDataFrame(rows, schema).repartition(5);
  }

  /** Direct two-pass statistics of one feature over the rows a filter selects. */
  static double[] direct(Predicate<Object[]> rows, int feature) {
    double[] values = DATA.stream().filter(rows).mapToDouble(r -> ((double[]) r[2])[feature]).toArray();
    double n = values.length;
    double mean = Arrays.stream(values).sum() / n;
    double meanAbs = Arrays.stream(values).map(Math::abs).sum() / n;
    double var = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / (n - 1);
    double varAbs = Arrays.stream(values).map(v -> (Math.abs(v) - meanAbs) * (Math.abs(v) - meanAbs)).sum() / (n - 1);
    double positive = Arrays.stream(values).filter(v -> v > 0).count() / n;
    return new double[] {n, meanAbs, mean, Math.sqrt(var), Math.sqrt(varAbs / n), positive};
  }

  static void assertMatches(ImportanceRow row, Predicate<Object[]> rows) {
    double[] expected = direct(rows, FEATURES.indexOf(row.feature()));
    String what = row.segmentValue() + "/" + row.target() + "/" + row.feature();
    assertEquals((long) expected[0], row.rows(), what);
    assertEquals(expected[1], row.meanAbsAttribution(), 1e-12, what + " mean |a|");
    assertEquals(expected[2], row.meanAttribution(), 1e-12, what + " mean a");
    assertEquals(expected[3], row.stdAttribution(), 1e-12, what + " std");
    assertEquals(expected[4], row.standardError(), 1e-12, what + " se of mean |a|");
    assertEquals(expected[1] - GlobalImportance.Z_95 * expected[4], row.ciLow(), 1e-12, what + " ci low");
    assertEquals(expected[1] + GlobalImportance.Z_95 * expected[4], row.ciHigh(), 1e-12, what + " ci high");
    assertEquals(expected[5], row.positiveShare(), 1e-12, what + " positive share");
  }

  @Test
  void overallAndSegmentStatisticsEqualADirectComputation() {
    ImportanceSummary summary = GlobalImportance.compute(results, FEATURES, List.of("region"), MIN_ROWS);
    assertEquals(2 * FEATURES.size() * (1 + REGIONS.size()), summary.rows().size());
    for (ImportanceRow row : summary.rows()) {
      int target = row.target();
      Predicate<Object[]> inTarget = r -> (int) r[1] == target;
      assertMatches(row, row.overall() ? inTarget : inTarget.and(r -> r[0].equals(row.segmentValue())));
    }
  }

  @Test
  void sharesRanksAndLowCountSegments() {
    ImportanceSummary summary = GlobalImportance.compute(results, FEATURES, List.of("region"), MIN_ROWS);
    for (int target = 0; target < 2; target++) {
      List<ImportanceRow> overall = summary.overall(target);
      assertEquals(List.of(1, 2, 3), overall.stream().map(ImportanceRow::rank).toList());
      assertEquals(1.0, overall.stream().mapToDouble(ImportanceRow::importanceShare).sum(), 1e-12);
      assertTrue(overall.get(0).meanAbsAttribution() >= overall.get(1).meanAbsAttribution());
    }
    List<ImportanceRow> tiny = summary.rows().stream().filter(r -> "tiny".equals(r.segmentValue())).toList();
    assertEquals(6, tiny.size());
    for (ImportanceRow row : tiny) {
      assertTrue(row.lowCount(), "fewer than " + MIN_ROWS + " rows");
      assertNull(row.rank());
    }
    assertTrue(summary.rows().stream().filter(r -> !"tiny".equals(r.segmentValue())).noneMatch(ImportanceRow::lowCount));
  }

  @Test
  void mergingPartialsInAnyOrderGivesTheSameAnswer() {
    List<GlobalImportance.Partial> partials = GlobalImportance.partials(results, FEATURES, List.of("region"));
    ImportanceSummary reference = GlobalImportance.summarise(partials, FEATURES, List.of("region"), MIN_ROWS);
    Random random = new Random(3);
    for (int trial = 0; trial < 5; trial++) {
      List<GlobalImportance.Partial> shuffled = new ArrayList<>(partials);
      Collections.shuffle(shuffled, random);
      assertEquals(reference, GlobalImportance.summarise(shuffled, FEATURES, List.of("region"), MIN_ROWS));
    }
  }

  @Test
  void momentsMergeInAnyGroupingAndStayPreciseFarFromZero() {
    Random random = new Random(5);
    double offset = 1e9;
    double[] values = new double[10_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = offset + random.nextGaussian();
    }
    double mean = Arrays.stream(values).map(v -> v - offset).sum() / values.length + offset;
    double m2 = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum();
    for (int trial = 0; trial < 3; trial++) {
      List<Moments> parts = new ArrayList<>();
      int at = 0;
      while (at < values.length) {
        int size = 1 + random.nextInt(700);
        Moments part = Moments.EMPTY;
        for (int i = at; i < Math.min(values.length, at + size); i++) {
          part = part.merge(new Moments(1, values[i], 0));
        }
        parts.add(part);
        at += size;
      }
      Collections.shuffle(parts, random);
      Moments merged = parts.stream().reduce(Moments.EMPTY, Moments::merge);
      assertEquals(values.length, merged.count());
      assertEquals(mean, merged.mean(), 1e-6);
      // Each value carries ulp(1e9) = 1.2e-7 of rounding, so 1e-7 relative is as close as any
      // method gets; a naive sum of squares (about 1e22 here) would lose all of it.
      assertEquals(m2, merged.m2(), 1e-7 * m2);
    }
  }
}
