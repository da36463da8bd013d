package org.attribution.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.commons.math3.distribution.TDistribution;
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
 * segment; the same numbers to the last bit however rows are partitioned and partials merged; and
 * precision far from zero.
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
    // The log-scale interval with Student's t (ConfidenceInterval), from the direct statistics;
    // the quantile's own solver is accurate to 1e-9. Undefined for the one-row group.
    double factor = expected[0] < 2 ? Double.NaN
        : Math.exp(new TDistribution(expected[0] - 1).inverseCumulativeProbability(0.975) * expected[4] / expected[1]);
    assertEquals(expected[1] / factor, row.ciLow(), 1e-8, what + " ci low");
    assertEquals(expected[1] * factor, row.ciHigh(), 1e-8, what + " ci high");
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
    // Five partitions' partials are merged per group before the driver sees them.
    assertEquals(2 * REGIONS.size(), partials.size());
    ImportanceSummary reference = GlobalImportance.summarise(partials, FEATURES, List.of("region"), MIN_ROWS);
    Random random = new Random(3);
    for (int trial = 0; trial < 5; trial++) {
      List<GlobalImportance.Partial> shuffled = new ArrayList<>(partials);
      Collections.shuffle(shuffled, random);
      assertEquals(reference, GlobalImportance.summarise(shuffled, FEATURES, List.of("region"), MIN_ROWS));
    }
  }

  @Test
  void everyNumberIsTheSameHoweverTheRowsArePartitioned() {
    ImportanceSummary reference = GlobalImportance.compute(results.repartition(1), FEATURES, List.of("region"), MIN_ROWS);
    for (int partitions : new int[] {2, 7, 31}) {
      assertEquals(reference, GlobalImportance.compute(results.repartition(partitions), FEATURES, List.of("region"),
          MIN_ROWS), partitions + " partitions");
    }
  }

  /** Moments of {@code values} computed in exact decimal arithmetic. */
  static double[] exactMeanAndM2(double[] values) {
    BigDecimal n = BigDecimal.valueOf(values.length);
    BigDecimal sum = BigDecimal.ZERO;
    for (double v : values) {
      sum = sum.add(new BigDecimal(v));
    }
    BigDecimal mean = sum.divide(n, MathContext.DECIMAL128);
    BigDecimal m2 = BigDecimal.ZERO;
    for (double v : values) {
      BigDecimal d = new BigDecimal(v).subtract(mean);
      m2 = m2.add(d.multiply(d));
    }
    return new double[] {mean.doubleValue(), m2.doubleValue()};
  }

  /** One feature's statistics over {@code values}, added one by one. */
  static FeatureStats stats(double[] values) {
    ResultSums sums = new ResultSums(1);
    for (int i = 0; i < values.length; i++) {
      sums.add(1, 0, 0, values, i);
    }
    return sums.feature(0);
  }

  @Test
  void sumsMergedInAnyGroupingAndOrderGiveTheSameBits() {
    Random random = new Random(5);
    double[] values = new double[10_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = 0.5 + 2 * random.nextGaussian() * Math.exp(random.nextGaussian());
    }
    FeatureStats reference = stats(values);
    double[] exact = exactMeanAndM2(values);
    assertEquals(exact[0], reference.signed().mean());
    assertEquals(exact[1], reference.signed().m2());
    for (int trial = 0; trial < 3; trial++) {
      List<ResultSums> parts = new ArrayList<>();
      int at = 0;
      while (at < values.length) {
        int size = 1 + random.nextInt(700);
        ResultSums part = new ResultSums(1);
        for (int i = at; i < Math.min(values.length, at + size); i++) {
          part.add(1, 0, 0, values, i);
        }
        parts.add(part);
        at += size;
      }
      Collections.shuffle(parts, random);
      ResultSums merged = new ResultSums(1);
      parts.forEach(merged::merge);
      assertEquals(values.length, merged.rows());
      assertEquals(reference, merged.feature(0), "trial " + trial);
    }
  }

  @Test
  void varianceStaysPreciseFarFromZero() {
    Random random = new Random(5);
    double offset = 1e9;
    double[] values = new double[10_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = offset + random.nextGaussian();
    }
    double[] exact = exactMeanAndM2(values);
    FeatureStats stats = stats(values);
    assertEquals(exact[0], stats.signed().mean());
    // Σa² is about 1e22 here and m2 about 1e4: a double sum of squares would keep none of m2's
    // digits, and merged moments (what Spark's var_pop does) about seven.
    assertEquals(exact[1], stats.signed().m2(), 1e-10 * exact[1]);
    assertEquals(stats.signed(), stats.absolute());
  }

  @Test
  void nonFiniteRowsAreCountedAndLeftOutOfEveryStatistic() {
    ResultSums sums = new ResultSums(2);
    sums.add(1.0, 0.25, 0.0, new double[] {0.5, 0.25}, 0);
    sums.add(Double.NaN, 0.25, Double.NaN, new double[] {1e300, 3}, 0);
    sums.add(1.0, 0.25, Double.NEGATIVE_INFINITY, new double[] {Double.POSITIVE_INFINITY, 3}, 0);
    sums.add(0.5, 0.25, 0.125, new double[] {-0.5, 0.625}, 0);
    QualityStats quality = sums.quality();
    assertEquals(new QualityStats(2, 0.0625, 0.125, 0.5, 2), quality);
    FeatureStats first = sums.feature(0);
    assertEquals(new Moments(2, 0, 0.5), first.signed());
    assertEquals(new Moments(2, 0.5, 0), first.absolute());
    assertEquals(1, first.positive());
    assertEquals(new Moments(2, 0.4375, 0.0703125), sums.feature(1).signed());
  }
}
