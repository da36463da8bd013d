package org.attribution.output;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.attribution.aggregate.DriftRow;
import org.attribution.aggregate.DriftSummary;
import org.attribution.aggregate.ImportanceRow;

/**
 * Report data for tests, and a realistic report to look at: {@code main} writes the Lending Club
 * sample to {@code target/report-sample.html} (or the path given), for
 * {@code scripts/render-report.sh}.
 */
final class SampleReports {

  static final List<String> FEATURES = List.of(
      "int_rate", "delinq_amnt", "inq_last_6mths", "sub_grade", "annual_inc", "term", "revol_util",
      "open_il_24m", "all_util", "total_bal_il", "inq_last_12m", "funded_amnt", "addr_state",
      "emp_length", "open_il_12m", "total_il_high_credit_limit", "verification_status", "inq_fi",
      "num_il_tl", "open_il_6m", "delinq_2yrs", "acc_now_delinq");

  /** Income bands with the sample's 9,857 rows spread over them; the last is under the minimum of 50. */
  static final Map<String, Long> INCOME_BANDS = orderedMap(
      "<25k", 612L, "25k-50k", 2431L, "50k-75k", 2655L, "75k-100k", 1873L,
      "100k-150k", 1522L, "150k-250k", 598L, "250k-500k", 143L, ">500k", 23L);

  static final long ROWS = 9857;
  static final int MIN_SEGMENT_ROWS = 50;
  static final double Z95 = 1.959964;

  private SampleReports() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "target/report-sample.html");
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, HtmlReport.render(lendingClub()), StandardCharsets.UTF_8);
    System.out.println(out.toAbsolutePath());
  }

  static ReportData.Run run() {
    return new ReportData.Run(
        "lending-club-audit-20261123T105339Z-752e", "lending-club-audit", "lending_club_mlp.pt",
        "dcf81b89acb641d8a1420e6c5be676f5d69d1c402be6048bbef746e32e27dcf4",
        "data-sample/lending_club.parquet", "integrated_gradients",
        "2026-11-23T10:53:39Z", "2026-11-23T10:57:51Z");
  }

  /**
   * The sample job's shape with every section filled: 22 features, targets good and bad, one
   * segment column with a low-count segment, and drift with two significant changes per target.
   */
  static ReportData lendingClub() {
    Random random = new Random(7);
    List<ImportanceRow> importance = new ArrayList<>();
    List<DriftRow> drift = new ArrayList<>();
    String[] names = {"good", "bad"};
    for (int target = 0; target < 2; target++) {
      double[] meanAbs = new double[FEATURES.size()];
      for (int f = 0; f < meanAbs.length; f++) {
        meanAbs[f] = 0.111 * Math.pow(0.74, f) * (1 + 0.15 * (random.nextDouble() - 0.5)) * (target == 0 ? 0.93 : 1);
      }
      importance.addAll(ranked(null, null, target, names[target], meanAbs, ROWS, random));
      for (Map.Entry<String, Long> band : INCOME_BANDS.entrySet()) {
        double[] inBand = new double[meanAbs.length];
        for (int f = 0; f < inBand.length; f++) {
          inBand[f] = meanAbs[f] * Math.exp(0.35 * random.nextGaussian());
        }
        importance.addAll(ranked("income_band", band.getKey(), target, names[target], inBand, band.getValue(), random));
      }
      drift.addAll(drift(target, names[target], importance));
    }
    DriftSummary summary = new DriftSummary("lending-club-audit-20261116T104812Z-1c9a", 10, List.of(
        new DriftSummary.TargetDrift(0, "good", 0.9874), new DriftSummary.TargetDrift(1, "bad", 0.9612)),
        (int) drift.stream().filter(DriftRow::significant).count(), 0.05, false, null, false);
    return new ReportData(
        run(),
        new ReportData.Rows(9871, ROWS, 14, 2388.4),
        orderedMap("unknown category 'XX' in feature 'addr_state'", 9L, "null value in feature 'annual_inc'", 4L,
            "NaN in feature 'revol_util'", 1L),
        List.of(new RunManifest.Completeness(0, "good", 9.12e-7, 6.3e-6, 0.1907),
            new RunManifest.Completeness(1, "bad", 9.39e-7, 6.1e-6, 0.1912)),
        Map.of(0, 0.8113, 1, 0.1887),
        importance, drift, summary).withQuality(quality(), sample(SAMPLE_ROWS, new Random(11)));
  }

  /** Rows in the sample report's summary and dependence plots. */
  static final int SAMPLE_ROWS = 300;
  /** The sample's categorical features and their categories; the rest are numeric. */
  static final Map<String, List<String>> CATEGORIES = orderedMap(
      "sub_grade", List.of("A1", "A2", "B1", "B2", "C1", "C2", "D1"), "term", List.of("36 months", "60 months"),
      "addr_state", List.of("CA", "NY", "TX", "FL"), "emp_length", List.of("<1", "1-5", "5-10", "10+"),
      "verification_status", List.of("Not Verified", "Verified"));

  /**
   * A sample of rows for both targets: a numeric feature's attribution grows with its value, a
   * categorical feature's is its category's effect, plus noise.
   */
  static ReportSample sample(int rows, Random random) {
    List<List<String>> categories = FEATURES.stream().map(f -> CATEGORIES.getOrDefault(f, List.of())).toList();
    List<ReportSample.Target> targets = new ArrayList<>();
    String[] names = {"good", "bad"};
    for (int target = 0; target < 2; target++) {
      double[][] values = new double[rows][FEATURES.size()];
      double[][] attributions = new double[rows][FEATURES.size()];
      for (int r = 0; r < rows; r++) {
        for (int f = 0; f < FEATURES.size(); f++) {
          double scale = 0.2 * Math.pow(0.74, f) * (target == 0 ? -1 : 1);
          int size = categories.get(f).size();
          values[r][f] = size > 0 ? random.nextInt(size) : random.nextGaussian();
          double centred = size > 0 ? values[r][f] / (size - 1) - 0.5 : values[r][f];
          attributions[r][f] = scale * centred + 0.1 * scale * random.nextGaussian();
        }
      }
      targets.add(new ReportSample.Target(target, names[target], values, attributions, null));
    }
    return new ReportSample(FEATURES, categories, targets);
  }

  /** Quality measures of both targets, with curves that beat chance and a comparison with the previous run. */
  static RunManifest.Quality quality() {
    double[] fractions = org.attribution.quality.QualityMeasures.curveFractions(FEATURES.size(), 20);
    List<org.attribution.quality.TargetQualitySummary> targets = new ArrayList<>();
    List<org.attribution.quality.QualityChange> changes = new ArrayList<>();
    String[] names = {"good", "bad"};
    for (int target = 0; target < 2; target++) {
      double start = target == 0 ? 0.83 : 0.17;
      double end = target == 0 ? 0.81 : 0.19;
      double[] deletion = new double[fractions.length];
      double[] random = new double[fractions.length];
      double[] insertion = new double[fractions.length];
      double[] insertionRandom = new double[fractions.length];
      for (int j = 0; j < fractions.length; j++) {
        double ranked = 1 - Math.pow(1 - fractions[j], 4);
        deletion[j] = start + (end - start) * ranked;
        random[j] = start + (end - start) * fractions[j];
        insertion[j] = end + (start - end) * ranked;
        insertionRandom[j] = end + (start - end) * fractions[j];
      }
      List<org.attribution.quality.QualityMeasure> measures = List.of(
          new org.attribution.quality.QualityMeasure("deletion_aopc", 0.0061, 0.0004, 987),
          new org.attribution.quality.QualityMeasure("insertion_aopc", 0.0058, 0.0004, 987),
          new org.attribution.quality.QualityMeasure("max_sensitivity", 0.142, 0.006, 987),
          new org.attribution.quality.QualityMeasure("infidelity", 2.1e-5, 3e-6, 987),
          new org.attribution.quality.QualityMeasure("completeness_gap", 9.1e-7, Double.NaN, ROWS));
      targets.add(new org.attribution.quality.TargetQualitySummary(target, names[target], 987, fractions, deletion,
          random, insertion, insertionRandom, measures));
      changes.add(new org.attribution.quality.QualityChange(target, names[target], "max_sensitivity", 0.118, 0.142,
          0.024, 2.83, true));
      changes.add(new org.attribution.quality.QualityChange(target, names[target], "deletion_aopc", 0.0063, 0.0061,
          -0.0002, -0.35, false));
    }
    return new RunManifest.Quality(true, 987, 10, 0.1, 20, 4_215_000, 48_200, targets,
        "lending-club-audit-20261116T104812Z-1c9a", changes);
  }

  /** Rows for one segment (or overall), with the statistics the aggregation would derive. */
  static List<ImportanceRow> ranked(
      String column, String value, int target, String targetName, double[] meanAbs, long rows, Random random) {
    boolean low = rows < MIN_SEGMENT_ROWS;
    double total = 0;
    for (double v : meanAbs) {
      total += v;
    }
    Integer[] order = new Integer[meanAbs.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> meanAbs[i]).reversed());
    List<ImportanceRow> out = new ArrayList<>();
    for (int r = 0; r < order.length; r++) {
      int f = order[r];
      double sdAbs = meanAbs[f] * (0.9 + 0.8 * random.nextDouble());
      double se = sdAbs / Math.sqrt(rows);
      double mean = meanAbs[f] * (random.nextDouble() - 0.5);
      out.add(new ImportanceRow(column, value, target, targetName, FEATURES.get(f), rows, meanAbs[f], mean,
          sdAbs * 1.1, se, meanAbs[f] - Z95 * se, meanAbs[f] + Z95 * se, meanAbs[f] / total,
          0.3 + 0.4 * random.nextDouble(), low ? null : r + 1, low));
    }
    return out;
  }

  /**
   * Drift of the overall rows against a previous run that matched them except for a couple of
   * features: revol_util rose and annual_inc fell, both beyond their intervals.
   */
  private static List<DriftRow> drift(int target, String targetName, List<ImportanceRow> importance) {
    Random random = new Random(11 + target);
    Map<String, ImportanceRow> current = new LinkedHashMap<>();
    for (ImportanceRow row : importance) {
      if (row.overall() && row.target() == target) {
        current.put(row.feature(), row);
      }
    }
    Map<String, Double> previous = new LinkedHashMap<>();
    for (ImportanceRow row : current.values()) {
      double factor = switch (row.feature()) {
        case "revol_util" -> 0.55;
        case "annual_inc" -> 1.6;
        default -> 1 + 0.03 * random.nextGaussian();
      };
      previous.put(row.feature(), row.meanAbsAttribution() * factor);
    }
    List<String> previousOrder = new ArrayList<>(previous.keySet());
    previousOrder.sort(Comparator.comparingDouble((String f) -> previous.get(f)).reversed());
    List<DriftRow> rows = new ArrayList<>();
    for (ImportanceRow row : current.values()) {
      double before = previous.get(row.feature());
      double change = row.meanAbsAttribution() - before;
      int previousRank = previousOrder.indexOf(row.feature()) + 1;
      boolean significant = row.feature().equals("revol_util") || row.feature().equals("annual_inc");
      rows.add(new DriftRow(target, targetName, row.feature(), before, row.meanAbsAttribution(), change,
          change / before, significant, previousRank, row.rank(), previousRank - row.rank()));
    }
    return rows;
  }

  /** One overall importance row over 1,000 rows, with a ±10% interval and fixed shares. */
  static ImportanceRow overall(int target, String targetName, String feature, double meanAbs, int rank) {
    return new ImportanceRow(null, null, target, targetName, feature, 1000, meanAbs, meanAbs / 2, meanAbs,
        meanAbs / 20, meanAbs * 0.9, meanAbs * 1.1, 0.1, 0.5, rank, false);
  }

  /** Report data around the given importance rows, without drift. */
  static ReportData withImportance(List<ImportanceRow> importance) {
    return new ReportData(run(), new ReportData.Rows(1000, 1000, 0, 500), Map.of(), List.of(), Map.of(),
        importance, null, null);
  }

  @SuppressWarnings("unchecked")
  private static <V> Map<String, V> orderedMap(Object... keysAndValues) {
    Map<String, V> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], (V) keysAndValues[i + 1]);
    }
    return map;
  }
}
