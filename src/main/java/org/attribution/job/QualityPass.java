package org.attribution.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.shiftrightunsigned;
import static org.apache.spark.sql.functions.xxhash64;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.attribution.aggregate.TargetQuality;
import org.attribution.config.Defaults;
import org.attribution.config.QualityConfig;
import org.attribution.config.TargetConfig;
import org.attribution.data.Feature;
import org.attribution.data.FeatureEncoder;
import org.attribution.method.AttributionMethod;
import org.attribution.method.Attributions;
import org.attribution.method.Background;
import org.attribution.model.ModelFunction;
import org.attribution.model.SplittingModel;
import org.attribution.model.TimedActivationModel;
import org.attribution.model.TimedModel;
import org.attribution.model.TorchScriptModel;
import org.attribution.output.ReportSample;
import org.attribution.output.RunManifest;
import org.attribution.quality.QualityChange;
import org.attribution.quality.QualityMeasure;
import org.attribution.quality.QualityMeasures;
import org.attribution.quality.QualitySettings;
import org.attribution.quality.RowQuality;
import org.attribution.quality.TargetQualitySummary;

/**
 * Measures the quality of the explanations on a seeded sample of the explained rows, and turns
 * the rows the explain stage kept for the report ({@link ReportRows}) into the report's sample,
 * with feature values, for the summary and dependence plots.
 *
 * <p>A row is in the quality sample when a hash of its seed (itself a hash of the run seed and the
 * row id) falls below the sample's share of the input, so the sample does not depend on
 * partitioning, and only it reaches the driver. There it is put in seed order and cut into fixed
 * groups of consecutive rows, which tasks explain again, a group per method call (so a row's
 * results do not depend on the partitioning either), and measure row by row. Everything comes back
 * in that order, so the sums over rows are the same whatever the partitioning.
 */
final class QualityPass {

  private static final long QUALITY_SALT = 0x51A11E5L;
  /** Sampled rows per method call: few calls for the sample, and a group's rows stay together. */
  private static final int GROUP_ROWS = 64;

  /**
   * What the pass found.
   *
   * @param targets the quality of each target; empty when quality is not measured
   * @param rows rows measured
   * @param evaluations model evaluations (rows) the pass spent, re-explaining included (the
   *     report's sample costs none: the explain stage kept it)
   * @param settings how rows were measured
   * @param sample the report's sample; null when the report draws none
   */
  record Result(List<TargetQualitySummary> targets, long rows, long evaluations, QualitySettings settings,
      ReportSample sample) {}

  private QualityPass() {}

  /**
   * Runs the pass.
   *
   * @param valid the encodable rows as {@code (row_id, row_seed, segments..., encoded...)}
   * @param inputRows rows in the input, for the samples' shares
   * @param kept the rows the explain stage kept for the report's sample; empty for none
   * @return null when there is nothing to sample
   */
  static Result run(JavaSparkContext jsc, Dataset<Row> valid, long inputRows, QualityConfig quality,
      List<ReportRows.Kept> kept,
      Broadcast<byte[]> modelBytes, ModelSpec modelSpec, FeatureEncoder encoder, MethodFactory methods,
      TargetConfig target, int slots) {
    int qualityRows = quality.enabled() ? quality.rows() : 0;
    // A global method has no per-row attributions to measure or plot.
    if (methods.method().global() || qualityRows == 0 && kept.isEmpty()) {
      return null;
    }
    ReportSample sample = kept.isEmpty() ? null : sample(ReportRows.ordered(kept), encoder, target);
    QualitySettings settings = new QualitySettings(quality.perturbations(), quality.radius(),
        Defaults.QUALITY_CURVE_STEPS);
    if (qualityRows == 0) {
      return new Result(List.of(), 0, 0, settings, sample);
    }
    jsc.sc().setJobDescription("Sampling rows for the quality measures");
    List<Column> select = new ArrayList<>(List.of(col("row_seed")));
    IntStream.range(0, encoder.features().size()).forEach(i -> select.add(col("__f" + i)));
    int width = encoder.width();
    List<Sampled> rows = new ArrayList<>();
    for (Row row : valid.select(select.toArray(new Column[0])).filter(sampled(QUALITY_SALT, quality.share(inputRows)))
        .collectAsList()) {
      float[] encoded = new float[width];
      encoder.encode(row, 1, encoded, 0);
      rows.add(new Sampled(row.getLong(0), encoded));
    }
    // Seed order, and the values for rows that share an id: the same order whatever the partitioning.
    rows.sort(Comparator.comparingLong(Sampled::seed).thenComparing(Sampled::row, Arrays::compare));
    Measure measure = new Measure(modelBytes, modelSpec, methods, target, spread(rows, width), settings);
    // Groups of consecutive rows in that order, each explained in one method call: the same groups
    // whatever the partitioning, so a row's attributions never depend on it.
    List<List<Sampled>> groups = new ArrayList<>();
    for (int from = 0; from < rows.size(); from += GROUP_ROWS) {
      groups.add(new ArrayList<>(rows.subList(from, Math.min(rows.size(), from + GROUP_ROWS))));
    }
    List<Measured> measured = jsc.parallelize(groups, Math.max(1, Math.min(slots, groups.size())))
        .mapPartitions(measure).collect();
    List<RowQuality> qualities = new ArrayList<>();
    long evaluations = 0;
    for (Measured m : measured) {
      qualities.addAll(m.quality());
      evaluations += m.evaluations();
    }
    List<TargetQualitySummary> targets = qualities.isEmpty() ? List.of()
        : TargetQualitySummary.of(qualities, encoder.groups().players(), settings.curveSteps(), target::nameOf);
    return new Result(targets, rows.size(), evaluations, settings, sample);
  }

  /**
   * What the write phase staged of the quality: every target's measures, completeness included,
   * and their comparison with an earlier run.
   *
   * @param result the pass's result; null when it did not run
   * @param targets per target, the measures as in the quality table
   * @param comparedToRun the run compared with; null for none
   * @param changes how each measure moved since that run
   */
  record Staged(Result result, List<TargetQualitySummary> targets, String comparedToRun,
      List<QualityChange> changes) {

    /** The report's sample; null when none was drawn. */
    ReportSample sample() {
      return result == null ? null : result.sample();
    }

    /** The manifest's quality section. */
    RunManifest.Quality manifest(QualityConfig config, long durationMs) {
      return new RunManifest.Quality(config.enabled(), result == null ? 0 : result.rows(), config.perturbations(),
          config.radius(), Defaults.QUALITY_CURVE_STEPS, result == null ? 0 : result.evaluations(), durationMs,
          targets, comparedToRun, changes);
    }
  }

  /**
   * Adds the completeness gaps to the measures and compares them with the earlier run drift
   * compares with, if any.
   *
   * @param earlierRun the run drift compares with; null for none
   * @param earlier reads a committed run's quality rows
   */
  static Staged stage(Result result, List<TargetQuality> completeness, String earlierRun,
      Function<String, Map<Integer, Map<String, QualityMeasure>>> earlier) {
    List<TargetQualitySummary> targets = withCompleteness(result, completeness);
    return new Staged(result, targets, earlierRun,
        earlierRun == null ? List.of() : QualityChange.compare(earlier.apply(earlierRun), targets));
  }

  /**
   * Each target's measures with its completeness gap over every explained row appended; a target
   * without sampled measures has the gap alone.
   */
  private static List<TargetQualitySummary> withCompleteness(Result result, List<TargetQuality> completeness) {
    Map<Integer, TargetQualitySummary> measured = new TreeMap<>();
    if (result != null) {
      result.targets().forEach(t -> measured.put(t.target(), t));
    }
    List<TargetQualitySummary> all = new ArrayList<>();
    for (TargetQuality q : completeness) {
      QualityMeasure gap = new QualityMeasure(QualityMeasure.COMPLETENESS, q.stats().meanAbsGap(), Double.NaN,
          q.stats().rows());
      TargetQualitySummary t = measured.get(q.target());
      all.add(t != null ? t.with(gap) : new TargetQualitySummary(q.target(), q.targetName(), 0, new double[0],
          new double[0], new double[0], new double[0], new double[0], List.of(gap)));
    }
    return all;
  }

  /** Whether a row is drawn for a sample of about {@code share} of the rows. */
  private static Column sampled(long salt, double share) {
    Column uniform = shiftrightunsigned(xxhash64(lit(salt), col("row_seed")), 11).cast("double")
        .multiply(lit(0x1.0p-53));
    return uniform.lt(lit(share));
  }

  /**
   * Where a removed player takes its value: the SHAP background, the baseline as a background of
   * one row, or, for a method with neither (saliency), zero, the usual blank of the deletion
   * literature.
   */
  private static Background removal(MethodFactory methods, int width) {
    if (methods.background() != null) {
      return methods.background().value();
    }
    float[] baseline = methods.baseline().length == width ? methods.baseline() : new float[width];
    return Background.uniform(baseline, 1, width);
  }

  /** Each column's standard deviation over the sampled rows, in their fixed order. */
  private static double[] spread(List<Sampled> rows, int width) {
    double[] mean = new double[width];
    double[] squares = new double[width];
    for (Sampled s : rows) {
      for (int c = 0; c < width; c++) {
        mean[c] += s.row()[c] / (double) rows.size();
      }
    }
    for (Sampled s : rows) {
      for (int c = 0; c < width; c++) {
        squares[c] += (s.row()[c] - mean[c]) * (s.row()[c] - mean[c]);
      }
    }
    return Arrays.stream(squares).map(q -> rows.size() < 2 ? 0 : Math.sqrt(q / (rows.size() - 1))).toArray();
  }

  /** The report's sample: each kept row's feature values and attributions, per target. */
  private static ReportSample sample(List<ReportRows.Kept> kept, FeatureEncoder encoder, TargetConfig target) {
    List<String> players = encoder.playerNames();
    int[] playerOfColumn = encoder.groups().playerOfColumn();
    List<List<String>> categories = new ArrayList<>();
    int[] column = new int[players.size()];
    int[] columns = new int[players.size()];
    for (int c = playerOfColumn.length - 1; c >= 0; c--) {
      column[playerOfColumn[c]] = c;
      columns[playerOfColumn[c]]++;
    }
    for (int p = 0; p < players.size(); p++) {
      categories.add(List.of());
    }
    for (Feature feature : encoder.features()) {
      if (feature.kind() == Feature.Kind.CATEGORICAL) {
        int p = playerOfColumn[feature.offset()];
        if (columns[p] == feature.width()) {
          categories.set(p, feature.vocabulary());
        }
      }
    }
    record Drawn(double[] values, double[] attributions, float[] input) {}
    Map<Integer, List<Drawn>> byTarget = new TreeMap<>();
    for (ReportRows.Kept k : kept) {
      float[] row = k.input();
      double[] values = new double[players.size()];
      for (int p = 0; p < values.length; p++) {
        values[p] = columns[p] == 1 ? row[column[p]]
            : categories.get(p).isEmpty() ? Double.NaN : hotIndex(row, column[p], columns[p]);
      }
      byTarget.computeIfAbsent(k.target(), t -> new ArrayList<>()).add(new Drawn(values, k.attributions(), row));
    }
    List<ReportSample.Target> targets = new ArrayList<>();
    byTarget.forEach((t, points) -> targets.add(new ReportSample.Target(t, target.nameOf(t),
        points.stream().map(Drawn::values).toArray(double[][]::new),
        points.stream().map(Drawn::attributions).toArray(double[][]::new),
        points.stream().map(Drawn::input).toArray(float[][]::new))));
    return new ReportSample(players, categories, targets);
  }

  private static double hotIndex(float[] row, int from, int count) {
    for (int i = 0; i < count; i++) {
      if (row[from + i] != 0) {
        return i;
      }
    }
    return Double.NaN;
  }

  /** A sampled row: its seed and its encoded values. */
  private record Sampled(long seed, float[] row) implements Serializable {}

  /**
   * What one task measured.
   *
   * @param quality the measures of the sampled rows' targets, in row order
   * @param evaluations model evaluations the task spent
   */
  private record Measured(List<RowQuality> quality, long evaluations) implements Serializable {}

  /** The executor side: explains and measures one task's share of the sample. */
  private static final class Measure
      implements org.apache.spark.api.java.function.FlatMapFunction<Iterator<List<Sampled>>, Measured> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<byte[]> modelBytes;
    private final ModelSpec modelSpec;
    private final MethodFactory methods;
    private final TargetConfig target;
    private final double[] spread;
    private final QualitySettings settings;

    Measure(Broadcast<byte[]> modelBytes, ModelSpec modelSpec, MethodFactory methods, TargetConfig target,
        double[] spread, QualitySettings settings) {
      this.modelBytes = modelBytes;
      this.modelSpec = modelSpec;
      this.methods = methods;
      this.target = target;
      this.spread = spread;
      this.settings = settings;
    }

    @Override
    public Iterator<Measured> call(Iterator<List<Sampled>> groups) {
      long[] evaluations = {0};
      TimedModel.CallObserver counted = (calledRows, nanos) -> evaluations[0] += calledRows;
      TorchScriptModel loaded = ExecutorModels.get(modelSpec, modelBytes::value, TaskContext.get());
      ModelFunction model = new TimedModel(new SplittingModel(loaded, splits -> { }), counted);
      AttributionMethod method = methods.create(model,
          () -> new TimedActivationModel(loaded.activationModel(), counted));
      QualityMeasures measures = new QualityMeasures(model, method, removal(methods, model.inputWidth()),
          methods.groups(), spread, settings, methods.maxEvaluationRows());
      List<RowQuality> quality = new ArrayList<>();
      int width = model.inputWidth();
      while (groups.hasNext()) {
        List<Sampled> group = groups.next();
        List<Sampled> source = new ArrayList<>();
        List<Integer> targets = new ArrayList<>();
        for (Sampled row : group) {
          for (int t : targets(model, row.row())) {
            source.add(row);
            targets.add(t);
          }
        }
        int explained = source.size();
        float[] expanded = new float[explained * width];
        long[] seeds = new long[explained];
        for (int e = 0; e < explained; e++) {
          System.arraycopy(source.get(e).row(), 0, expanded, e * width, width);
          seeds[e] = source.get(e).seed();
        }
        Attributions result = method.attribute(expanded, explained, targets.stream().mapToInt(Integer::intValue)
            .toArray(), seeds);
        int players = result.players();
        for (int e = 0; e < explained; e++) {
          Sampled row = source.get(e);
          double[] values = Arrays.copyOfRange(result.values(), e * players, (e + 1) * players);
          // A result the model could not give is a model reject of the main pass, not a measure.
          boolean finite = Arrays.stream(values).allMatch(Double::isFinite) && Double.isFinite(result.outputs()[e]);
          if (finite) {
            quality.add(measures.measure(row.row(), targets.get(e), row.seed(), values));
          }
        }
      }
      return List.of(new Measured(quality, evaluations[0])).iterator();
    }

    private int[] targets(ModelFunction model, float[] row) {
      int outputs = model.outputWidth();
      int perRow = target.mode().equals("all") ? outputs : 1;
      float[] predictions = target.mode().equals("predicted") ? model.forward(row, 1) : null;
      return IntStream.range(0, perRow).map(k -> ExplainPartition.targetOf(target, k, predictions, 0, outputs))
          .toArray();
    }
  }
}
