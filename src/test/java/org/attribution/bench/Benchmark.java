package org.attribution.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.attribution.config.GradientShapConfig;
import org.attribution.config.InputXGradientConfig;
import org.attribution.config.IntegratedGradientsConfig;
import org.attribution.config.JobConfig;
import org.attribution.config.JobConfigLoader;
import org.attribution.config.KernelShapConfig;
import org.attribution.config.LimeConfig;
import org.attribution.config.MethodConfig;
import org.attribution.config.OcclusionConfig;
import org.attribution.config.SaliencyConfig;
import org.attribution.config.SamplingShapleyConfig;
import org.attribution.config.SmoothGradConfig;
import org.attribution.data.FeatureEncoder;
import org.attribution.data.Vocabularies;
import org.attribution.job.AttributionJob;
import org.attribution.job.AttributionResult;
import org.attribution.method.AttributionMethod;
import org.attribution.method.Background;
import org.attribution.method.FeatureGroups;
import org.attribution.method.GradientShap;
import org.attribution.method.IntegratedGradients;
import org.attribution.method.InputXGradient;
import org.attribution.method.IntegrationRule;
import org.attribution.method.KernelShap;
import org.attribution.method.KernelShapAdjustment;
import org.attribution.method.Lime;
import org.attribution.method.Occlusion;
import org.attribution.method.Saliency;
import org.attribution.method.SamplingShapley;
import org.attribution.method.SmoothGrad;
import org.attribution.method.ShapleyKernelSampler;
import org.attribution.model.EngineSettings;
import org.attribution.model.ModelFunction;
import org.attribution.model.OutputTransform;
import org.attribution.model.TorchScriptModel;
import org.attribution.testing.RecordingModel;
import org.attribution.output.RunManifest;

/**
 * Measures the attribution job against its compute bound. Run through {@code scripts/bench.sh};
 * {@code --help} lists the options.
 *
 * <p>For each method it runs the whole job ({@link AttributionJob}, embedded local Spark, output
 * to a temporary directory, per-row output and progress off) on a dataset resampled from the
 * sample loans ({@link BenchData}), then, in the same JVM and on as many threads as Spark has task
 * slots, the <em>compute bound</em>: the same TorchScript model through {@link TorchScriptModel}
 * doing the job's model evaluations ({@code evaluations_per_row x rows} from the manifest) in
 * calls of the size this model runs fastest at on this machine, gradient and forward calls each
 * (measured once per benchmark over sizes up to the memory budget's limit, see {@link
 * #fastestCallSizes}), with arrays prepared up front. A
 * second model-only run, the <em>replay</em>, makes exactly the calls the job's method makes (shapes
 * recorded by running the method on one batch), which separates the cost of small calls from the
 * cost of everything around the model.
 */
public final class Benchmark {

  static final String IG = IntegratedGradientsConfig.ID;
  static final List<String> ALL_METHODS =
      List.of(IG, KernelShapConfig.ID, GradientShapConfig.ID, SamplingShapleyConfig.ID);
  /** The per-row methods measured only when named: the default run stays the four above. */
  static final List<String> OTHER_METHODS = List.of(SaliencyConfig.ID, InputXGradientConfig.ID, SmoothGradConfig.ID,
      OcclusionConfig.ID, LimeConfig.ID);
  /** The gradient methods: their bound makes gradient calls. */
  static final java.util.Set<String> GRADIENT_METHODS = java.util.Set.of(IG, GradientShapConfig.ID,
      SaliencyConfig.ID, InputXGradientConfig.ID, SmoothGradConfig.ID);
  static final Path IG_JOB = Path.of("conf/lending-club-ig.yaml");
  static final Path SHAP_JOB = Path.of("conf/lending-club-shap.yaml");
  static final double[] SCALING = {0.1, 0.3, 1.0};
  private static final String USAGE = """
      Usage: Benchmark [options]
        --rows N          rows for integrated_gradients (default 1000000)
        --shap-rows N     rows for kernel_shap and sampling_shapley (default 5000, half the
                          sample's size: ~20,700 and ~3,500 model evaluations per row)
        --gradient-shap-rows N
                          rows for gradient_shap (default --rows / 40: ~200 evaluations per row)
        --methods LIST    comma-separated: integrated_gradients (ig), kernel_shap (kernel),
                          gradient_shap (gradient), sampling_shapley (sampling); default these
                          four; also saliency, input_x_gradient, smoothgrad, occlusion, lime
                          (saliency and input_x_gradient on --rows rows, smoothgrad on
                          --gradient-shap-rows, occlusion and lime on --shap-rows)
        --quick           smoke run: --rows 20000 --shap-rows 20 (gradient_shap 2000)
        --no-scaling      skip the 10%%/30%% integrated_gradients runs
        --pairs N         job-then-bound pairs per method (default 3; 1 with --quick): each
                          bound runs straight after its job, and the median pair ratio is
                          reported beside the single-run one
        --no-warmup       skip the untimed warm-up jobs
        --partitions N    set input.partitions for every job (default: as read)
        --master M        Spark master (default local[*])
        --seed S          resampling seed (default %d)
        --cache-dir DIR   where resampled datasets are kept (default target/bench-data)
        --results FILE    results are appended here (default target/bench-results.md)
        --profile DIR     record each measured job with Java Flight Recorder into DIR and print
                          a profile summary (adds a little overhead)
        --sweep           also time calls of 1 to 128 rows in the call-size table
        --set KEY=VALUE   a job file setting for every job (repeatable), e.g.
                          --set execution.call_rows=512
      """.formatted(BenchData.SEED);

  record Options(
      long rows,
      long shapRows,
      long gradientShapRows,
      List<String> methods,
      boolean scaling,
      int pairs,
      boolean warmup,
      Integer partitions,
      String master,
      long seed,
      Path cacheDir,
      Path results,
      Path profileDir,
      boolean sweep,
      Map<String, String> overrides,
      List<String> args) {}

  /**
   * A job and a bound run straight after it, so that both see the machine at nearly the same
   * speed: on a shared virtual machine that drifts by more than the ratios' margins over minutes.
   */
  record Pair(double jobSeconds, double boundSeconds, double modelTaskSeconds, double attributeSeconds) {

    Pair(double jobSeconds, double boundSeconds, RunManifest manifest) {
      this(jobSeconds, boundSeconds, manifest.modelTaskSeconds(), manifest.timingsMs().get("attribute") / 1000.0);
    }

    double ratio() {
      return jobSeconds / boundSeconds;
    }
  }

  /** Rows per call at which the model alone runs fastest, per kind of call. */
  record CallSizes(int gradientRows, int forwardRows) {}

  /** One measured job and its bounds. */
  record Measured(
      String method,
      long rows,
      int inputPartitions,
      double jobSeconds,
      RunManifest manifest,
      long peakHeapUsed,
      long peakHeapAfterGc,
      long collections,
      long peakRss,
      ComputeBound.Result bound,
      List<ComputeBound.Calls> boundPlan,
      List<Double> boundRuns,
      ComputeBound.Result replay,
      List<ComputeBound.Calls> replayPlan,
      double jobCores,
      double jobOtherCores,
      double boundCores,
      double boundOtherCores,
      List<StageStats.Stage> stages,
      List<Pair> pairs) {

    long evaluations() {
      return Benchmark.evaluations(manifest);
    }

    double attributeSeconds() {
      return manifest.timingsMs().get("attribute") / 1000.0;
    }
  }

  private final Options options;
  private final SparkSession spark;
  private final int slots;
  private final MemoryMonitor memory = new MemoryMonitor();
  private final StageStats stageStats = new StageStats();
  private final StringBuilder report = new StringBuilder();
  private TorchScriptModel model;
  private CallSizes fastest;
  private String callSizeTable;

  private Benchmark(Options options, SparkSession spark) {
    this.options = options;
    this.spark = spark;
    this.slots = spark.sparkContext().defaultParallelism();
    spark.sparkContext().addSparkListener(stageStats);
  }

  public static void main(String[] args) throws Exception {
    Options options = parse(args);
    // The job sets libtorch's threads from spark.task.cpus (1 here) before its first model load;
    // the same values now, so the compute bound runs in exactly the same thread layout.
    EngineSettings.configureThreads(1, 1);
    System.setProperty("log4j2.configurationFile",
        System.getProperty("log4j2.configurationFile", "conf/log4j2-local.properties"));
    SparkSession spark = SparkSession.builder()
        .master(options.master())
        .appName("spark-attribution-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    int status = 0;
    try {
      new Benchmark(options, spark).run();
    } catch (RuntimeException e) {
      e.printStackTrace();
      status = 1;
    } finally {
      spark.stop();
    }
    System.exit(status);
  }

  static Options parse(String[] args) {
    long rows = 1_000_000;
    long shapRows = 5_000;
    Long gradientShapRows = null;
    List<String> methods = ALL_METHODS;
    boolean scaling = true;
    Integer pairs = null;
    boolean warmup = true;
    Integer partitions = null;
    String master = "local[*]";
    long seed = BenchData.SEED;
    Path cacheDir = Path.of("target/bench-data");
    Path results = Path.of("target/bench-results.md");
    Path profile = null;
    boolean sweep = false;
    Map<String, String> overrides = new LinkedHashMap<>();
    boolean rowsSet = false;
    boolean shapRowsSet = false;
    boolean quick = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--rows" -> {
          rows = Long.parseLong(value(args, ++i, arg));
          rowsSet = true;
        }
        case "--gradient-shap-rows" -> gradientShapRows = Long.parseLong(value(args, ++i, arg));
        case "--shap-rows" -> {
          shapRows = Long.parseLong(value(args, ++i, arg));
          shapRowsSet = true;
        }
        case "--methods" -> methods = Arrays.stream(value(args, ++i, arg).split(","))
            .map(String::trim).filter(s -> !s.isEmpty()).map(Benchmark::methodId).toList();
        case "--quick" -> quick = true;
        case "--no-scaling" -> scaling = false;
        case "--pairs" -> pairs = Integer.parseInt(value(args, ++i, arg));
        case "--no-warmup" -> warmup = false;
        case "--partitions" -> partitions = Integer.parseInt(value(args, ++i, arg));
        case "--master" -> master = value(args, ++i, arg);
        case "--seed" -> seed = Long.parseLong(value(args, ++i, arg));
        case "--cache-dir" -> cacheDir = Path.of(value(args, ++i, arg));
        case "--results" -> results = Path.of(value(args, ++i, arg));
        case "--profile" -> profile = Path.of(value(args, ++i, arg));
        case "--sweep" -> sweep = true;
        case "--set" -> {
          String setting = value(args, ++i, arg);
          int eq = setting.indexOf('=');
          if (eq < 1) {
            usage("--set needs key=value, got " + setting);
          }
          overrides.put(setting.substring(0, eq), setting.substring(eq + 1));
        }
        case "-h", "--help" -> {
          System.out.print(USAGE);
          System.exit(0);
        }
        default -> usage("unknown option " + arg);
      }
    }
    if (quick) {
      rows = rowsSet ? rows : 20_000;
      shapRows = shapRowsSet ? shapRows : 20;
    }
    long gradientRows = gradientShapRows != null ? gradientShapRows : Math.max(1, rows / 40);
    if (rows < 10 || shapRows < 1 || gradientRows < 1) {
      usage("--rows must be at least 10, --shap-rows and --gradient-shap-rows at least 1");
    }
    int pairCount = pairs != null ? pairs : quick ? 1 : 3;
    if (pairCount < 1) {
      usage("--pairs must be at least 1");
    }
    return new Options(rows, shapRows, gradientRows, methods, scaling, pairCount, warmup, partitions, master, seed, cacheDir, results,
        profile, sweep, Map.copyOf(overrides), List.of(args));
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      usage(option + " needs a value");
    }
    return args[i];
  }

  private static void usage(String problem) {
    System.err.println("Benchmark: " + problem);
    System.err.print(USAGE);
    System.exit(2);
  }

  static String methodId(String name) {
    return switch (name) {
      case "ig", IG -> IG;
      case "kernel", "kernel_shap" -> KernelShapConfig.ID;
      case "gradient", "gradient_shap" -> GradientShapConfig.ID;
      case "sampling", "sampling_shapley" -> SamplingShapleyConfig.ID;
      case SaliencyConfig.ID, InputXGradientConfig.ID, SmoothGradConfig.ID, OcclusionConfig.ID, LimeConfig.ID -> name;
      default -> {
        usage("unknown method " + name + "; known: " + String.join(", ", ALL_METHODS) + ", "
            + String.join(", ", OTHER_METHODS));
        yield null;
      }
    };
  }

  private void run() throws IOException {
    Files.createDirectories(options.cacheDir());
    section("# spark-attribution benchmark, " + DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(
        java.time.temporal.ChronoUnit.SECONDS)));
    line("");
    line("Arguments: `" + (options.args().isEmpty() ? "(defaults)" : String.join(" ", options.args())) + "`");
    line("");
    line(machine());
    line("");

    if (options.warmup()) {
      warmUp();
    }
    List<Measured> measured = new ArrayList<>();
    List<Measured> scaling = new ArrayList<>();
    for (String method : options.methods()) {
      if (method.equals(IG)) {
        if (options.scaling()) {
          for (double fraction : SCALING) {
            long rows = Math.max(1, Math.round(options.rows() * fraction));
            Measured m = measure(method, rows, fraction == 1.0);
            scaling.add(m);
            if (fraction == 1.0) {
              measured.add(m);
            }
          }
        } else {
          measured.add(measure(method, options.rows(), true));
        }
      } else {
        measured.add(measure(method, rowsFor(method), true));
      }
    }
    printResults(measured);
    if (!scaling.isEmpty()) {
      printScaling(scaling);
    }
    printPhases(scaling.isEmpty() ? measured : concat(measured, scaling));
    printStages(measured);
    if (callSizeTable != null) {
      line("");
      section(callSizeTable.strip());
    }
    Files.createDirectories(options.results().toAbsolutePath().getParent());
    Files.writeString(options.results(), report.toString() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    System.out.println();
    System.out.println("Appended to " + options.results());
    if (model != null) {
      model.close();
    }
  }

  private static List<Measured> concat(List<Measured> a, List<Measured> b) {
    List<Measured> all = new ArrayList<>(a);
    for (Measured m : b) {
      if (!all.contains(m)) {
        all.add(m);
      }
    }
    return all;
  }

  private long rowsFor(String method) {
    return switch (method) {
      case IG, SaliencyConfig.ID, InputXGradientConfig.ID -> options.rows();
      case GradientShapConfig.ID, SmoothGradConfig.ID -> options.gradientShapRows();
      default -> options.shapRows();
    };
  }

  /** Untimed jobs that load classes, start libtorch and JIT-compile the hot paths. */
  private void warmUp() {
    for (String method : options.methods()) {
      long rows = Math.min(rowsFor(method), rowsFor(method) == options.rows() ? 20_000
          : rowsFor(method) == options.gradientShapRows() ? 5_000 : 40);
      Path input = BenchData.ensure(spark, options.cacheDir(), BenchData.SAMPLE, rows, options.seed());
      long start = System.nanoTime();
      runJob(method, input);
      System.err.printf(Locale.ROOT, "warm-up %s on %,d rows: %.1f s%n", method, rows,
          (System.nanoTime() - start) / 1e9);
    }
  }

  /**
   * Runs the job and its bound.
   *
   * @param full false for the smaller scaling sizes: one bound run and no replay
   */
  private Measured measure(String method, long rows, boolean full) throws IOException {
    Path input = BenchData.ensure(spark, options.cacheDir(), BenchData.SAMPLE, rows, options.seed());
    int inputPartitions = spark.read().parquet(input.toString()).rdd().getNumPartitions();
    System.err.printf(Locale.ROOT, "%s on %,d rows (%d input partitions, %d task slots)...%n", method, rows,
        inputPartitions, slots);

    Recording recording = null;
    Path jfr = null;
    if (options.profileDir() != null) {
      Files.createDirectories(options.profileDir());
      jfr = options.profileDir().resolve(method + "-" + rows + ".jfr");
      recording = new Recording();
      recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
      recording.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(10));
      recording.enable("jdk.GarbageCollection");
      recording.enable("jdk.ActiveSetting");
      recording.setDestination(jfr);
    }
    memory.reset();
    stageStats.clear();
    if (recording != null) {
      recording.start();
    }
    LoadMonitor jobLoad = new LoadMonitor();
    long start = System.nanoTime();
    AttributionResult result = runJob(method, input);
    double seconds = (System.nanoTime() - start) / 1e9;
    double jobCores = jobLoad.ownCores();
    double jobOther = jobLoad.otherCores();
    long peakHeap = memory.peakHeapUsed();
    long afterGc = memory.peakHeapAfterGc();
    long gcs = memory.collections();
    long rss = MemoryMonitor.peakRss();
    if (recording != null) {
      recording.stop();
      recording.close();
    }
    List<StageStats.Stage> stages = stageStats.stages(spark.sparkContext());
    RunManifest manifest = result.manifest();
    System.err.printf(Locale.ROOT, "  job: %.1f s (%s), %.2f cores busy, other processes %.2f cores%n", seconds,
        manifest.timingsMs(), jobCores, jobOther);

    JobConfig config = config(method, input, Path.of("unused"));
    TorchScriptModel bench = model(config, manifest.encodedWidth());
    List<ComputeBound.Calls> boundPlan = boundPlan(manifest, fastestCallSizes(bench, config.target().classIndex()));
    List<ComputeBound.Calls> replayPlan = replayPlan(config, manifest, bench, rows);
    // The bound runs twice (once only for the smaller scaling sizes) and the faster run counts:
    // on a shared or virtual machine the first model-only run after a job is often slower. The
    // replay runs in between, and only where the job's main call shape differs from the bound's.
    boolean replayNeeded = full && replayPlan.stream().noneMatch(c ->
        c.gradient() == boundPlan.get(0).gradient() && c.rows() == boundPlan.get(0).rows());
    ComputeBound.Result bound = null;
    ComputeBound.Result replay = null;
    double boundCores = Double.NaN;
    double boundOther = Double.NaN;
    List<Double> boundRuns = new ArrayList<>();
    for (int run = 0; run < (full ? 2 : 1); run++) {
      LoadMonitor boundLoad = new LoadMonitor();
      ComputeBound.Result r = ComputeBound.run(bench, boundPlan, slots, config.target().classIndex());
      double own = boundLoad.ownCores();
      double other = boundLoad.otherCores();
      boundRuns.add(r.seconds());
      System.err.printf(Locale.ROOT, "  compute bound: %.1f s for %s (libtorch threads per caller: %d), other "
          + "processes %.2f cores%n", r.seconds(), boundPlan, r.libtorchThreads(), other);
      if (bound == null || r.seconds() < bound.seconds()) {
        bound = r;
        boundCores = own;
        boundOther = other;
      }
      if (run == 0 && replayNeeded) {
        replay = ComputeBound.run(bench, replayPlan, slots, config.target().classIndex());
        System.err.printf(Locale.ROOT, "  replay of the job's calls: %.1f s for %s%n", replay.seconds(), replayPlan);
      }
    }
    // The replay makes all of the job's evaluations (and a few more: the job's predictions pass
    // repeats f(x)), so when it runs faster than the bound's calls, its time is the tighter bound.
    if (replay != null && replay.seconds() < bound.seconds()) {
      bound = replay;
    }
    List<Pair> pairs = pairs(method, input, full, seconds, manifest, bench, bound == replay ? replayPlan : boundPlan,
        bound == replay ? replay.seconds() : boundRuns.get(0), config.target().classIndex());
    if (jfr != null) {
      String summary = JfrSummary.summarise(jfr, 25);
      System.err.println(summary);
      Files.writeString(options.profileDir().resolve(method + "-" + rows + ".txt"), summary);
    }
    return new Measured(method, rows, inputPartitions, seconds, manifest, peakHeap, afterGc, gcs, rss, bound,
        boundPlan, boundRuns, replay, replayPlan, jobCores, jobOther, boundCores, boundOther, stages, pairs);
  }

  /**
   * The first job with the bound run straight after it, then, for a full measurement, further
   * jobs each followed by one bound run in the call plan that ran faster above.
   */
  private List<Pair> pairs(String method, Path input, boolean full, double firstJobSeconds, RunManifest firstManifest,
      TorchScriptModel bench, List<ComputeBound.Calls> plan, double firstBoundSeconds, int target) {
    List<Pair> pairs = new ArrayList<>();
    pairs.add(new Pair(firstJobSeconds, firstBoundSeconds, firstManifest));
    for (int p = 1; full && p < options.pairs(); p++) {
      long start = System.nanoTime();
      AttributionResult again = runJob(method, input);
      double jobSeconds = (System.nanoTime() - start) / 1e9;
      double boundSeconds = ComputeBound.run(bench, plan, slots, target).seconds();
      pairs.add(new Pair(jobSeconds, boundSeconds, again.manifest()));
      System.err.printf(Locale.ROOT, "  pair %d: job %.1f s, bound %.1f s: %.2f%n", p + 1, jobSeconds, boundSeconds,
          jobSeconds / boundSeconds);
    }
    return pairs;
  }

  private AttributionResult runJob(String method, Path input) {
    Path output;
    try {
      Files.createDirectories(options.cacheDir().resolve("out"));
      output = Files.createTempDirectory(options.cacheDir().resolve("out"), method + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      AttributionResult result = AttributionJob.builder(spark).config(config(method, input, output)).execute();
      RunManifest.Execution execution = result.manifest().execution();
      if (execution.callNanosPerRowByExecutor() != null) {
        // What each executor's choice of call size was made from, to set against the bench's table of sizes.
        execution.callNanosPerRowByExecutor().forEach((executor, nanos) -> System.err.printf(Locale.ROOT,
            "  executor %s timed its calls (ns per row by size): %s, chose %,d%n", executor,
            nanos.entrySet().stream().map(e -> String.format(Locale.ROOT, "%d: %.0f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", ")),
            execution.callRowsByExecutor().get(executor)));
      }
      return result;
    } finally {
      BenchData.deleteRecursively(output);
    }
  }

  /** The sample job file for the method, reading {@code input}, writing {@code output}. */
  JobConfig config(String method, Path input, Path output) {
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("input.path", input.toString());
    overrides.put("output.path", output.toString());
    overrides.put("output.per_row", "false");
    overrides.put("execution.progress_seconds", "0");
    if (options.partitions() != null) {
      overrides.put("input.partitions", options.partitions().toString());
    }
    if (method.equals(IG)) {
      overrides.put("method.steps", "50");
    } else {
      // The whole section, so each method runs at its defaults whatever the job file tunes.
      overrides.put("method", "{name: " + method + "}");
      if (!MethodConfig.usesBackground(method)) {
        overrides.put("background", null);
      }
    }
    overrides.putAll(options.overrides());
    return JobConfigLoader.load(method.equals(IG) ? IG_JOB : SHAP_JOB, overrides);
  }

  /** The encoder of a sample job's features, which has no vector column. */
  static FeatureEncoder encoder(JobConfig config) {
    return FeatureEncoder.build(config.features(),
        Vocabularies.read(config.features().vocabularyFile(), new Configuration()),
        () -> {
          throw new IllegalStateException("no vector features in the sample jobs");
        });
  }

  private TorchScriptModel model(JobConfig config, int width) {
    if (model == null) {
      model = TorchScriptModel.load(Path.of(config.model().path()), Device.cpu(),
          OutputTransform.fromId(config.model().output()), width);
    }
    return model;
  }

  /**
   * The evaluations the bound makes for a job: {@code evaluations_per_row x rows}, or the
   * manifest's {@code model_evaluations} where the tasks made fewer (sampling Shapley evaluates a
   * coalition its orderings reach again once), so that the bound never times work the job skipped.
   * The count the tasks made includes the job's own forward pass of each batch for the predictions.
   */
  static long evaluations(RunManifest manifest) {
    return Math.min(manifest.execution().evaluationsPerRow() * manifest.rows().explained(),
        manifest.modelEvaluations());
  }

  /**
   * The compute bound's calls: {@link #evaluations} of them. The method's own
   * evaluations (all but one per row) go into calls of the fastest size for their kind: gradient
   * calls for the gradient methods, forward calls for the coalition and perturbation methods. The
   * remaining one evaluation per row, f(x), goes into forward calls of the fastest forward size;
   * saliency and input x gradient, one gradient per row that gives f(x) too, make gradient calls
   * only.
   */
  static List<ComputeBound.Calls> boundPlan(RunManifest manifest, CallSizes fastest) {
    String method = manifest.config().method().id();
    boolean gradient = GRADIENT_METHODS.contains(method);
    long evaluations = evaluations(manifest);
    long explained = gradient && manifest.execution().evaluationsPerRow() == 1 ? 0 : manifest.rows().explained();
    List<ComputeBound.Calls> plan = new ArrayList<>();
    addCalls(plan, gradient, gradient ? fastest.gradientRows() : fastest.forwardRows(), evaluations - explained);
    addCalls(plan, false, fastest.forwardRows(), explained);
    return plan;
  }

  private static void addCalls(List<ComputeBound.Calls> plan, boolean gradient, int chunk, long evaluations) {
    if (evaluations <= 0) {
      return;
    }
    chunk = (int) Math.min(chunk, evaluations);
    long full = evaluations / chunk;
    plan.add(new ComputeBound.Calls(gradient, chunk, full));
    int rest = (int) (evaluations - full * chunk);
    if (rest > 0) {
      plan.add(new ComputeBound.Calls(gradient, rest, 1));
    }
  }

  /**
   * The model calls the job makes for {@code rows} rows, found by running the configured method
   * (built as the job builds it) on one batch of {@code batchRows} random rows through a {@link
   * RecordingModel}, plus the job's own forward pass of each batch for the predictions, scaled to
   * {@code rows / batchRows} batches.
   */
  List<ComputeBound.Calls> replayPlan(JobConfig config, RunManifest manifest, TorchScriptModel bench, long rows) {
    RunManifest.Execution execution = manifest.execution();
    int width = bench.inputWidth();
    FeatureGroups groups = encoder(config).groups();
    RecordingModel recording = new RecordingModel(bench);
    int maxEvaluationRows = execution.maxEvaluationRows();
    SplittableRandom random = new SplittableRandom(7);
    Background background = null;
    if (manifest.background() != null) {
      int count = manifest.background().rows();
      float[] values = new float[count * width];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) random.nextDouble();
      }
      background = Background.uniform(values, count, width);
    }
    AttributionMethod method = replayMethod(config.method(), recording, background, groups, maxEvaluationRows);
    // Only the calls from here on: building a method may already call the model.
    int forwardMark = recording.forwardRows().size();
    int gradientMark = recording.gradientRows().size();
    int batch = (int) Math.min(execution.batchRows(), rows);
    float[] inputs = new float[batch * width];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = (float) random.nextDouble();
    }
    int[] targets = new int[batch];
    Arrays.fill(targets, config.target().classIndex());
    long[] seeds = new long[batch];
    Arrays.setAll(seeds, i -> i + 1L);
    // The job's forward pass of each batch, made only for the predicted class (ExplainPartition).
    if (config.target().mode().equals("predicted") || config.output().perRow() && recording.outputWidth() > 1) {
      recording.forward(inputs, batch);
    }
    method.attribute(inputs, batch, targets, seeds);
    List<Integer> gradientRows = recording.gradientRows();
    List<Integer> forwardRows = recording.forwardRows();
    double scale = (double) manifest.rows().explained() / batch;
    List<ComputeBound.Calls> plan = new ArrayList<>();
    plan.addAll(scaledCalls(true, gradientRows.subList(gradientMark, gradientRows.size()), scale));
    plan.addAll(scaledCalls(false, forwardRows.subList(forwardMark, forwardRows.size()), scale));
    return plan;
  }

  /**
   * The method as the job builds it (MethodFactory), on a random background where it uses one,
   * a zero baseline and SmoothGrad's default noise on every column: the call shapes do not depend
   * on the values.
   */
  static AttributionMethod replayMethod(MethodConfig config, ModelFunction model, Background background,
      FeatureGroups groups, int maxEvaluationRows) {
    int width = model.inputWidth();
    if (config instanceof IntegratedGradientsConfig ig) {
      return new IntegratedGradients(model, new float[width], IntegrationRule.fromId(ig.rule()), ig.steps(),
          maxEvaluationRows, groups);
    } else if (config instanceof KernelShapConfig kernel) {
      return new KernelShap(model, background, groups,
          ShapleyKernelSampler.budgetFor(kernel.budget(), groups.players()), maxEvaluationRows, 0,
          KernelShapAdjustment.fromId(kernel.adjustment(), kernel.adjustmentTrees()));
    } else if (config instanceof GradientShapConfig gradient) {
      return new GradientShap(model, background, groups, gradient.samples(), gradient.noiseStd(),
          maxEvaluationRows);
    } else if (config instanceof SamplingShapleyConfig sampling) {
      return new SamplingShapley(model, background, groups, sampling.permutations(), maxEvaluationRows);
    } else if (config instanceof SaliencyConfig saliency) {
      return new Saliency(model, saliency.absolute(), maxEvaluationRows, groups);
    } else if (config instanceof InputXGradientConfig) {
      return new InputXGradient(model, new float[width], maxEvaluationRows, groups);
    } else if (config instanceof SmoothGradConfig smooth) {
      double[] noise = new double[width];
      Arrays.fill(noise, smooth.noiseStd());
      return new SmoothGrad(replayMethod(smooth.wrapped(), model, background, groups, maxEvaluationRows),
          model, noise, smooth.samples(), SmoothGrad.Aggregate.fromId(smooth.aggregate()), maxEvaluationRows);
    } else if (config instanceof OcclusionConfig) {
      return new Occlusion(model, background != null ? background : Background.uniform(new float[width], 1, width),
          groups, maxEvaluationRows);
    } else if (config instanceof LimeConfig lime) {
      return new Lime(model, background, groups, lime.samples(), lime.kernelWidthFor(groups.players()),
          lime.alpha(), maxEvaluationRows);
    }
    throw new IllegalStateException("no replay for " + config.id());
  }

  /** Calls of each size, largest first, each count multiplied by {@code scale} (at least 1). */
  private static List<ComputeBound.Calls> scaledCalls(boolean gradient, List<Integer> callRows, double scale) {
    Map<Integer, Long> counts = new TreeMap<>(Comparator.reverseOrder());
    callRows.forEach(rows -> counts.merge(rows, 1L, Long::sum));
    List<ComputeBound.Calls> calls = new ArrayList<>();
    counts.forEach((rows, count) ->
        calls.add(new ComputeBound.Calls(gradient, rows, Math.max(1, Math.round(count * scale)))));
    return calls;
  }

  private void printResults(List<Measured> measured) {
    line("");
    line("## Throughput against the compute bound");
    line("");
    line("Job: wall time of `AttributionJob.execute()` (all phases); attribute: the manifest's `attribute` phase. "
        + "Bound: the same evaluations on " + slots + " threads in calls of the size the model runs fastest at (table "
        + "below), the fastest of two such runs and the replay; replay: the calls the job's method actually "
        + "makes, run where their main shape differs from the bound's. Evaluations: `evaluations_per_row` x rows, or the "
        + "manifest's `model_evaluations` where the tasks made fewer. "
        + "Job / its model time: the job's wall time over the manifest's `model_task_seconds` spread over the "
        + slots + " task slots, so both are measured in the same minutes: what the job adds around its model "
        + "calls, whatever the machine's speed did between the job and the bound.");
    line("");
    line("| method | rows | evals/row | job s | attribute s | rows/s | evals/s (job) | bound s | evals/s (bound) "
        + "| **job / bound** | attribute / bound | job evals/s as % of bound | job / its model time | bound runs s "
        + "| replay s | replay / bound |");
    line("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for (Measured m : measured) {
      double evalsPerSecond = m.evaluations() / m.jobSeconds();
      line(String.format(Locale.ROOT,
          "| %s | %,d | %,d | %.1f | %.1f | %,.0f | %,.0f | %.1f | %,.0f | **%.2f** | %.2f | %.0f%% | %.2f | %s | %s | %s |",
          m.method(), m.rows(), m.manifest().execution().evaluationsPerRow(), m.jobSeconds(), m.attributeSeconds(),
          m.rows() / m.jobSeconds(), evalsPerSecond, m.bound().seconds(), m.bound().evaluationsPerSecond(),
          m.jobSeconds() / m.bound().seconds(), m.attributeSeconds() / m.bound().seconds(),
          100 * evalsPerSecond / m.bound().evaluationsPerSecond(),
          m.jobSeconds() * slots / m.manifest().modelTaskSeconds(),
          String.join(" / ", m.boundRuns().stream().map(t -> String.format(Locale.ROOT, "%.1f", t)).toList()),
          m.replay() == null ? "same shape" : String.format(Locale.ROOT, "%.1f", m.replay().seconds()),
          m.replay() == null ? "" : String.format(Locale.ROOT, "%.2f", m.replay().seconds() / m.bound().seconds())));
    }
    line("");
    line("| method | rows | input partitions | batch rows | max evaluation rows | bound calls | job's calls (replayed) "
        + "| model time in the job / bound's thread time "
        + "| CPU cores busy: job / bound | other processes' cores: job / bound "
        + "| peak heap used | peak heap after GC | GCs | peak RSS (VmHWM) |");
    line("|---|--:|--:|--:|--:|---|---|--:|--:|--:|--:|--:|--:|--:|");
    for (Measured m : measured) {
      line(String.format(Locale.ROOT,
          "| %s | %,d | %d | %,d | %,d | %s | %s | %.1f / %.1f s | %.2f / %.2f | %.2f / %.2f | %s | %s | %d | %s |",
          m.method(), m.rows(), m.inputPartitions(), m.manifest().execution().batchRows(),
          m.manifest().execution().maxEvaluationRows(), m.boundPlan(), m.replayPlan(),
          m.manifest().modelTaskSeconds(), m.bound().seconds() * slots, m.jobCores(), m.boundCores(),
          m.jobOtherCores(), m.boundOtherCores(), mib(m.peakHeapUsed()),
          mib(m.peakHeapAfterGc()), m.collections(), mib(m.peakRss())));
    }
    line("");
    line(String.format(Locale.ROOT, "Max heap %s; RSS peak reset per run: %s.", mib(memory.maxHeap()),
        memory.rssReset() ? "yes (clear_refs)" : "no (process lifetime peak)"));
    List<Measured> paired = measured.stream().filter(m -> m.pairs().size() > 1).toList();
    if (!paired.isEmpty()) {
      printPairs(paired);
    }
  }

  /** The pairs of the methods measured more than once. */
  private void printPairs(List<Measured> paired) {
    line("");
    line("## Job-then-bound pairs");
    line("");
    line("Each bound ran straight after its job, in the call plan that ran faster above (the first pair is the "
        + "measurement above with its first bound run, or its replay where that was faster), so drift between "
        + "minutes cancels within a pair.");
    line("");
    line("| method | rows | pairs: job s / bound s = job / bound | median job / bound | median job evals/s as % of "
        + "bound | median job / its model time |");
    line("|---|--:|---|--:|--:|--:|");
    for (Measured m : paired) {
      line(String.format(Locale.ROOT, "| %s | %,d | %s | **%.2f** | **%.0f%%** | %.2f |", m.method(), m.rows(),
          String.join(", ", m.pairs().stream().map(p -> String.format(Locale.ROOT, "%.1f / %.1f = %.2f",
              p.jobSeconds(), p.boundSeconds(), p.ratio())).toList()),
          median(m.pairs(), Pair::ratio), median(m.pairs(), p -> 100 / p.ratio()),
          median(m.pairs(), p -> p.jobSeconds() * slots / p.modelTaskSeconds())));
    }
    printPairParts(paired);
  }

  /**
   * Each pair's job / bound taken apart, in shares of its bound that add up to it: the model
   * calls inside the explain stage (their task time spread over the slots), the rest of that
   * stage (the method's own work, Spark's rows, slots waiting at the end), and the phases around
   * it (validation, background and preflight, writing). What is left to gain, and where, is then
   * read off one run instead of worked out by hand.
   */
  private void printPairParts(List<Measured> paired) {
    line("");
    line("Each pair's job / bound taken apart, as shares of its bound: model calls in the explain stage (task "
        + "seconds over " + slots + " slots) + the rest of the explain stage + the phases around it.");
    line("");
    line("| method | rows | pairs: model calls + rest of explain + other phases | median model calls | median rest "
        + "of explain | median other phases |");
    line("|---|--:|---|--:|--:|--:|");
    ToDoubleFunction<Pair> calls = p -> p.modelTaskSeconds() / slots / p.boundSeconds();
    ToDoubleFunction<Pair> explainRest = p -> p.attributeSeconds() / p.boundSeconds() - calls.applyAsDouble(p);
    ToDoubleFunction<Pair> phases = p -> (p.jobSeconds() - p.attributeSeconds()) / p.boundSeconds();
    for (Measured m : paired) {
      line(String.format(Locale.ROOT, "| %s | %,d | %s | %.2f | %.2f | %.2f |", m.method(), m.rows(),
          String.join(", ", m.pairs().stream().map(p -> String.format(Locale.ROOT, "%.2f + %.2f + %.2f",
              calls.applyAsDouble(p), explainRest.applyAsDouble(p), phases.applyAsDouble(p))).toList()),
          median(m.pairs(), calls), median(m.pairs(), explainRest), median(m.pairs(), phases)));
    }
  }

  /** The median over the pairs of {@code part}, the mean of the middle two for an even count. */
  private static double median(List<Pair> pairs, ToDoubleFunction<Pair> part) {
    double[] sorted = pairs.stream().mapToDouble(part).sorted().toArray();
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private void printScaling(List<Measured> scaling) {
    line("");
    line("## Scaling (integrated_gradients, 50 steps)");
    line("");
    line("| rows | input partitions | job s | µs/row (job) | attribute s | µs/row (attribute) | bound s | job / bound "
        + "| other processes' cores: job / bound | peak heap used | peak heap after GC | peak RSS |");
    line("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for (Measured m : scaling) {
      line(String.format(Locale.ROOT, "| %,d | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f / %.2f | %s | %s | %s |",
          m.rows(), m.inputPartitions(), m.jobSeconds(), 1e6 * m.jobSeconds() / m.rows(), m.attributeSeconds(),
          1e6 * m.attributeSeconds() / m.rows(), m.bound().seconds(), m.jobSeconds() / m.bound().seconds(),
          m.jobOtherCores(), m.boundOtherCores(), mib(m.peakHeapUsed()), mib(m.peakHeapAfterGc()), mib(m.peakRss())));
    }
    // Least-squares line through (rows, seconds): fixed cost and cost per row.
    int n = scaling.size();
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (Measured m : scaling) {
      sx += m.rows();
      sy += m.jobSeconds();
      sxx += (double) m.rows() * m.rows();
      sxy += m.rows() * m.jobSeconds();
    }
    double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    double intercept = (sy - slope * sx) / n;
    double maxResidual = 0;
    for (Measured m : scaling) {
      maxResidual = Math.max(maxResidual, Math.abs(m.jobSeconds() - (intercept + slope * m.rows())));
    }
    Measured first = scaling.get(0);
    Measured last = scaling.get(scaling.size() - 1);
    line("");
    line(String.format(Locale.ROOT,
        "Fit: job s = %.2f + %.3f µs x rows (largest residual %.2f s). Peak heap after GC %s at %,d rows, %s at %,d "
            + "rows (x%.2f for x%.0f rows).",
        intercept, slope * 1e6, maxResidual, mib(first.peakHeapAfterGc()), first.rows(),
        mib(last.peakHeapAfterGc()), last.rows(), (double) last.peakHeapAfterGc() / first.peakHeapAfterGc(),
        (double) last.rows() / first.rows()));
  }

  private void printPhases(List<Measured> runs) {
    line("");
    line("## Job phases (manifest timings, ms)");
    line("");
    line("| method | rows | validate | baseline | attribute | write | total |");
    line("|---|--:|--:|--:|--:|--:|--:|");
    for (Measured m : runs) {
      Map<String, Long> t = m.manifest().timingsMs();
      line(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %,d | %,d | %,d |", m.method(), m.rows(),
          t.getOrDefault("validate", 0L), t.getOrDefault("baseline", 0L), t.getOrDefault("attribute", 0L),
          t.getOrDefault("write", 0L), t.getOrDefault("total", 0L)));
    }
  }

  private void printStages(List<Measured> runs) {
    line("");
    line("## Spark stages of each measured job (stages under 0.5 s summed)");
    line("");
    line("Slot use: the stage's summed task run time over its wall time x " + slots + " task slots.");
    for (Measured m : runs) {
      line("");
      line(String.format(Locale.ROOT, "%s, %,d rows:", m.method(), m.rows()));
      line("");
      report.append(StageStats.table(m.stages(), slots, 0.5));
      System.out.print(StageStats.table(m.stages(), slots, 0.5));
    }
  }

  /**
   * The call sizes the bound uses: the model alone, on every task slot at once, timed in calls of
   * each candidate size up to 65,536 rows (the most the default budget allows the sample model);
   * the fastest size for gradient calls and
   * the fastest for forward calls win. Measured on first use, then kept: every job of a benchmark
   * explains the same model. The table goes into the results.
   */
  private CallSizes fastestCallSizes(TorchScriptModel bench, int target) {
    if (fastest != null) {
      return fastest;
    }
    int[] sizes = options.sweep()
        ? new int[] {1, 16, 128, 256, 512, 1024, 2048, 4096, 16384, 65536}
        : new int[] {256, 512, 1024, 2048, 4096, 16384, 65536};
    StringBuilder table = new StringBuilder();
    table.append("## Model-only throughput by call size (").append(slots)
        .append(" threads, 1 libtorch thread each; the bound uses the fastest size of each kind)\n\n")
        .append("| rows per call | gradient evals/s | forward evals/s | other processes' cores |\n")
        .append("|--:|--:|--:|--:|\n");
    int bestGradient = 0;
    int bestForward = 0;
    double gradientRate = 0;
    double forwardRate = 0;
    for (int size : sizes) {
      // About a second of work per measurement; tiny calls are far slower, so they get less.
      long calls = Math.max(slots, 1_500_000L / size / (size < 128 ? 20 : 1));
      LoadMonitor load = new LoadMonitor();
      ComputeBound.Result gradient = ComputeBound.run(bench, List.of(new ComputeBound.Calls(true, size, calls)), slots,
          target);
      ComputeBound.Result forward = ComputeBound.run(bench, List.of(new ComputeBound.Calls(false, size, calls * 3)),
          slots, target);
      table.append(String.format(Locale.ROOT, "| %,d | %,.0f | %,.0f | %.2f |%n", size,
          gradient.evaluationsPerSecond(), forward.evaluationsPerSecond(), load.otherCores()));
      if (gradient.evaluationsPerSecond() > gradientRate) {
        gradientRate = gradient.evaluationsPerSecond();
        bestGradient = size;
      }
      if (forward.evaluationsPerSecond() > forwardRate) {
        forwardRate = forward.evaluationsPerSecond();
        bestForward = size;
      }
    }
    fastest = new CallSizes(bestGradient, bestForward);
    callSizeTable = table.toString();
    System.err.printf(Locale.ROOT, "  fastest call sizes: gradient %,d rows, forward %,d rows%n", bestGradient,
        bestForward);
    return fastest;
  }

  private String machine() {
    String cpu = "unknown";
    String mem = "unknown";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
      mem = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(mem);
    } catch (IOException | RuntimeException e) {
      // not Linux: leave unknown
    }
    return String.format(Locale.ROOT,
        "Machine: %d CPUs (%s), %s memory; Java %s (%s); max heap %s; Spark %s master %s (%d task slots); "
            + "libtorch %s, %s intra-op thread(s) per caller",
        Runtime.getRuntime().availableProcessors(), cpu, mem, System.getProperty("java.version"),
        System.getProperty("java.vm.name"), mib(Runtime.getRuntime().maxMemory()), spark.version(), options.master(),
        slots, Engine.getEngine("PyTorch").getVersion(), System.getProperty("ai.djl.pytorch.num_threads"));
  }

  private void section(String text) {
    line(text);
  }

  private void line(String text) {
    System.out.println(text);
    report.append(text).append('\n');
  }

  static String mib(long bytes) {
    return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%,d MiB", bytes >> 20);
  }

  static String utcNow() {
    return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
  }
}
