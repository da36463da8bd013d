package org.attribution.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.attribution.aggregate.CompletenessFlag;
import org.attribution.aggregate.DriftSummary;
import org.attribution.aggregate.ImportanceRow;
import org.attribution.aggregate.QualityStats;
import org.attribution.aggregate.TargetQuality;
import org.attribution.config.InvalidJobException;
import org.attribution.config.JobConfig;
import org.attribution.config.JobConfigValidator;
import org.attribution.job.AttributionJob;
import org.attribution.job.AttributionResult;
import org.attribution.model.EngineSettings;
import org.attribution.output.RunManifest;
import org.attribution.output.RunStore;
import org.attribution.output.TableSinks;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code spark-submit} entry point: reads a job file, applies command-line overrides, runs
 * the job and prints the top features.
 *
 * <p>Exit codes: 0 done, 2 the job as given cannot run (bad job file, input or model; the
 * message says which), 3 done but the drift gate failed, 1 anything else.
 */
@Command(
    name = "spark-attribution",
    mixinStandardHelpOptions = true,
    version = "spark-attribution 0.1.0",
    sortOptions = false,
    description = "Explains a TorchScript model over a dataset and writes global feature importance as Parquet.")
public final class AttributionCli implements Callable<Integer> {

  /** Exit code when the job as given cannot run. */
  public static final int EXIT_INVALID = 2;
  /** Exit code for any other failure. */
  public static final int EXIT_FAILED = 1;
  /** Exit code when the run completed but drift passed a configured gate. */
  public static final int EXIT_DRIFT = 3;

  @Spec CommandSpec spec;

  @Option(names = {"-j", "--job"}, required = true,
      description = "The YAML job file: a path, a Hadoop URI, or the name of a file shipped with --files.")
  String job;

  @Option(names = "--input", description = "Overrides input.path.")
  String input;

  @Option(names = "--output", description = "Overrides output.path.")
  String output;

  @Option(names = "--model", description = "Overrides model.path.")
  String model;

  @Option(names = "--method", description = "Overrides method.name. Another method than the job file's starts from "
      + "its own defaults: the file's keys for its method are dropped, with a note.")
  String method;

  @Option(names = "--steps", description = "Overrides method.steps.")
  Integer steps;

  @Option(names = "--per-row", description = "Also write per-row attributions (output.per_row).")
  Boolean perRow;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Overrides any job file key, e.g. --set method.rule=trapezoid. Repeatable.")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(names = "--unset", paramLabel = "KEY",
      description = "Removes a job file key, so it takes its default, e.g. --unset method.steps. Repeatable.")
  List<String> unset = new ArrayList<>();

  @Option(names = "--run-id", description = "Names the run (default: job name and time).")
  String runId;

  @Option(names = "--master", description = "Spark master when not run by spark-submit (default local[*]).")
  String master;

  @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "Spark setting for a local session. Repeatable.")
  Map<String, String> sparkConf = new LinkedHashMap<>();

  @Option(names = "--top", description = "How many features to print per target (default ${DEFAULT-VALUE}).")
  int top = 10;

  @Option(names = "--validate-only", description = "Check the job file and stop, without starting Spark.")
  boolean validateOnly;

  /** Starts the run's Spark session: a seam, so tests can see whether a run got that far. */
  private final Function<JobConfig, SparkSession> sessions;

  private AttributionCli() {
    this.sessions = this::session;
  }

  /** A command line that gets its Spark session from {@code sessions}. */
  AttributionCli(Function<JobConfig, SparkSession> sessions) {
    this.sessions = sessions;
  }

  /** Runs the command line and exits the JVM with its exit code unless that is 0, when it just returns. */
  public static void main(String[] args) {
    int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    // YARN's cluster-mode ApplicationMaster counts any System.exit, even 0, as a failed attempt (and retries it).
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs the command line, writing to the given streams; returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    return run(new AttributionCli(), args, out, err);
  }

  /** Runs {@code command} on the command line {@code args}; returns the exit code. */
  static int run(AttributionCli command, String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(command)
        .setOut(out)
        .setErr(err)
        .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
          if (e instanceof InvalidJobException invalid) {
            err.println(invalid.getMessage());
            return EXIT_INVALID;
          }
          err.println("spark-attribution failed: " + e);
          e.printStackTrace(err);
          return EXIT_FAILED;
        });
    // Usage errors are the user's input too: same exit code as a bad job file.
    cli.setParameterExceptionHandler((e, args1) -> {
      err.println(e.getMessage());
      e.getCommandLine().usage(err);
      return EXIT_INVALID;
    });
    return cli.execute(args);
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    // Spark takes seconds to start here and may wait in a queue on a cluster: whatever needs no
    // data (the job file, the run id, --top) is refused before that.
    JobConfig config = JobConfigValidator.validate(JobFileSource.load(job, allOverrides(), err::println));
    if (runId != null) {
      RunStore.checkRunId(runId);
    }
    if (top < 0) {
      throw new InvalidJobException("Cannot print the top " + top + " features: --top must be 0 or more");
    }
    PrintWriter out = spec.commandLine().getOut();
    if (validateOnly) {
      out.println("Job file " + job + " is valid.");
      return 0;
    }
    EngineSettings.preferOffline();
    // A session that was already running belongs to whoever started it: leave it running.
    boolean ownSession = SparkSession.getDefaultSession().isEmpty();
    SparkSession spark = sessions.apply(config);
    try {
      AttributionResult result = AttributionJob.builder(spark).config(config).runId(runId).execute();
      print(result, out);
      warn(result, err);
      if (result.driftGateFailed()) {
        err.println("Drift gate failed against run " + result.drift().summary().previousRunId()
            + ": see the drift table; the run's outputs are written.");
        return EXIT_DRIFT;
      }
    } finally {
      if (ownSession) {
        spark.stop();
      }
    }
    return 0;
  }

  private Map<String, String> allOverrides() {
    Map<String, String> all = new LinkedHashMap<>();
    putIfSet(all, "input.path", input);
    putIfSet(all, "output.path", output);
    putIfSet(all, "model.path", model);
    putIfSet(all, "method.name", method);
    putIfSet(all, "method.steps", steps);
    putIfSet(all, "output.per_row", perRow);
    all.putAll(overrides);
    for (String key : unset) {
      if (all.containsKey(key)) {
        throw new InvalidJobException("Cannot unset " + key + ": the command line also sets it");
      }
      // A null value is the loader's way of saying "as if the file did not have this key".
      all.put(key, null);
    }
    return all;
  }

  private static void putIfSet(Map<String, String> map, String key, Object value) {
    if (value != null) {
      map.put(key, value.toString());
    }
  }

  private SparkSession session(JobConfig config) {
    SparkSession.Builder builder = SparkSession.builder().appName("spark-attribution: " + config.jobName());
    boolean submitted = new SparkConf().contains("spark.master");
    if (master != null || !submitted) {
      builder.master(master != null ? master : "local[*]");
    }
    // The output format's settings first, so that a --conf of the same key wins.
    SparkConf starting = new SparkConf();
    sparkConf.forEach(starting::set);
    TableSinks.sessionSettings(config.output(), starting).forEach(builder::config);
    sparkConf.forEach(builder::config);
    return builder.getOrCreate();
  }

  /** What a scheduler's log should show even when nobody reads the tables. */
  private void warn(AttributionResult result, PrintWriter err) {
    RunManifest.Rows rows = result.manifest().rows();
    if (rows.duplicateIds() > 0) {
      String id = result.manifest().config().input().idColumn();
      err.printf("Warning: %,d explained rows share their row id with another row (%s)%n", rows.duplicateIds(),
          id != null ? "input.id_column " + id : "identical rows");
    }
    if (rows.nonFiniteResults() > 0) {
      err.printf("Warning: the model gave NaN or infinite results for some rows; they are rejected (see the rejects"
          + " table's reasons) and left out of every statistic%n");
    }
  }

  private void print(AttributionResult result, PrintWriter out) {
    RunManifest m = result.manifest();
    out.printf("Run %s: %,d rows explained, %,d rejected, %.0f rows/s (%s, %s)%n",
        m.runId(), m.rows().explained(), m.rows().rejected(), m.rowsPerSecond(),
        m.config().method().id(), m.model().name());
    for (TargetQuality quality : result.importance().quality()) {
      QualityStats stats = quality.stats();
      // A global method (permutation importance) has no completeness to speak of: its gap is NaN.
      String completeness = Double.isNaN(stats.meanAbsGap()) ? "" : String.format(Locale.ROOT,
          "; mean |completeness gap| %.2e of mean |f(x) - ref| %.3g", stats.meanAbsGap(), stats.meanAbsDelta());
      out.printf("%nTop features for target %s (output %d), %,d rows%s%n",
          quality.targetName(), quality.target(), stats.rows(), completeness);
      String gapWarning = CompletenessFlag.warning(m.config().method().id(), stats.meanAbsGap(), stats.meanAbsDelta());
      if (gapWarning != null) {
        out.println("  Warning: " + gapWarning);
      }
      out.printf("  %4s  %-28s %14s %24s %9s%n", "rank", "feature", "mean |attr|", "95% interval", "share");
      List<ImportanceRow> features = result.importance().overall(quality.target());
      for (ImportanceRow f : features.subList(0, Math.min(top, features.size()))) {
        // One row has no interval: its ends are NaN here and null in the tables.
        String interval = Double.isFinite(f.ciLow())
            ? String.format("[%10.4g, %10.4g]", f.ciLow(), f.ciHigh()) : String.format("%-24s", "[undefined: one row]");
        out.printf("  %4d  %-28s %14.6g  %s %8.1f%%%n", f.rank(), f.feature(), f.meanAbsAttribution(), interval,
            100 * f.importanceShare());
      }
    }
    if (result.drift() != null) {
      DriftSummary drift = result.drift().summary();
      out.printf("%nDrift against run %s: %d significant change%s", drift.previousRunId(), drift.significantChanges(),
          drift.significantChanges() == 1 ? "" : "s");
      drift.targets().forEach(t -> out.printf(", nDCG@%d %.3f for %s", drift.k(), t.ndcgAtK(), t.targetName()));
      out.println(drift.gateFailed() ? " (gate FAILED)" : drift.gateSkipped() ? " (gate not applied)" : "");
      if (drift.warning() != null) {
        out.println("  Warning: " + drift.warning());
      }
    }
    out.printf("%nOutputs: %s%nReport:  %s%n", result.store().root(), result.store().report(result.runId()));
  }
}
