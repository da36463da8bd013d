package org.attribution.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * A plain-text summary of the method samples in a Java Flight Recorder file: where Spark's task
 * threads spend their time.
 *
 * <p>Counts {@code jdk.ExecutionSample} (threads running Java code) and {@code
 * jdk.NativeMethodSample} (threads in native code, here mostly libtorch) together; the benchmark
 * records both at the same period, so counts are comparable. Threads parked or waiting in Java are
 * in neither. Samples are grouped by thread kind (Spark task threads, the benchmark's bound
 * threads, everything else), and for task threads ranked by self frame, by inclusive frame of this
 * project and DJL, and by phase (a fixed list of frames, first match from the top of the stack).
 *
 * <p>{@code java ... org.attribution.bench.JfrSummary FILE.jfr [TOP]} prints the same for any
 * recording.
 */
public final class JfrSummary {

  /**
   * Phases as (frame prefix, label): a sample belongs to the first frame from the top of its stack
   * that matches a prefix, with the first matching prefix's label.
   */
  private static final List<String[]> PHASES = List.of(
      new String[] {"ai.djl.pytorch.jni.PyTorchLibrary.torchBackward", "libtorch backward"},
      new String[] {"ai.djl.pytorch.jni.PyTorchLibrary.moduleRunMethod", "libtorch module forward"},
      new String[] {"ai.djl.pytorch.jni.PyTorchLibrary.torchFromBlob", "float[] -> tensor (native copy)"},
      new String[] {"ai.djl.pytorch.jni.PyTorchLibrary.torchDataPtr", "tensor -> float[] (native copy)"},
      new String[] {"ai.djl.pytorch.jni.PyTorchLibrary", "other libtorch calls (ops, tensor mgmt)"},
      new String[] {"ai.djl.ndarray.BaseNDManager.create", "float[] -> tensor (Java side)"},
      new String[] {"ai.djl.pytorch.engine.PtNDManager.create", "float[] -> tensor (Java side)"},
      new String[] {"ai.djl.ndarray.NDArray.toFloatArray", "tensor -> float[] (Java side)"},
      new String[] {"ai.djl.pytorch.engine.PtNDArray.toByteBuffer", "tensor -> float[] (Java side)"},
      new String[] {"ai.djl.", "DJL other"},
      new String[] {"org.attribution.model.", "TorchScriptModel other"},
      new String[] {"org.attribution.method.ConstrainedWeightedLeastSquares", "Kernel SHAP least squares"},
      new String[] {"org.attribution.method.ShapleyKernelSampler", "Kernel SHAP coalition sampling"},
      new String[] {"org.attribution.method.CoalitionEvaluator", "coalition masking (Java)"},
      new String[] {"org.attribution.method.IntegratedGradients", "IG path points and sums (Java)"},
      new String[] {"org.attribution.method.GradientShap", "Gradient SHAP points and sums (Java)"},
      new String[] {"org.attribution.method.", "other method code (Java)"},
      new String[] {"org.attribution.data.FeatureEncoder", "feature encoding (Row -> float[])"},
      new String[] {"org.attribution.job.ExplainPartition", "ExplainPartition (batching, result rows)"},
      new String[] {"org.apache.spark.sql.catalyst.expressions.GeneratedClass", "Spark generated code"},
      new String[] {"org.apache.parquet.", "Parquet"},
      new String[] {"org.apache.spark.sql.execution.datasources.parquet", "Parquet"},
      new String[] {"org.apache.spark.sql.execution.aggregate", "Spark aggregation"},
      new String[] {"org.apache.spark.", "Spark other"},
      new String[] {"", "other"});

  private JfrSummary() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("Usage: JfrSummary FILE.jfr [TOP]");
      System.exit(2);
    }
    System.out.println(summarise(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 25));
  }

  /** The summary of a recording; {@code top} lines per ranking. */
  public static String summarise(Path file, int top) throws IOException {
    Map<String, long[]> byThreadKind = new TreeMap<>();
    Map<String, Long> self = new HashMap<>();
    Map<String, Long> inclusive = new HashMap<>();
    Map<String, Long> javaPhases = new HashMap<>();
    Map<String, Long> nativePhases = new HashMap<>();
    long javaSamples = 0;
    long period = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
      String type = event.getEventType().getName();
      if (type.equals("jdk.ActiveSetting") && event.getString("name").equals("period")
          && event.getString("value").endsWith("ms") && period == 0) {
        period = Long.parseLong(event.getString("value").replace("ms", "").trim());
      }
      boolean isNative = type.equals("jdk.NativeMethodSample");
      if (!isNative && !type.equals("jdk.ExecutionSample")) {
        continue;
      }
      RecordedThread thread = event.getThread("sampledThread");
      String kind = threadKind(thread == null ? null : thread.getJavaName());
      long[] counts = byThreadKind.computeIfAbsent(kind, k -> new long[2]);
      counts[isNative ? 1 : 0]++;
      if (!kind.equals("Spark task threads")) {
        continue;
      }
      RecordedStackTrace stack = event.getStackTrace();
      if (stack == null || stack.getFrames().isEmpty()) {
        continue;
      }
      List<RecordedFrame> frames = stack.getFrames();
      boolean explaining = false;
      for (RecordedFrame frame : frames) {
        if (name(frame).startsWith("org.attribution.job.ExplainPartition")) {
          explaining = true;
          break;
        }
      }
      String key = (explaining ? "explain  | " : "other    | ") + phase(frames);
      if (isNative) {
        nativePhases.merge(key, 1L, Long::sum);
        continue;
      }
      javaSamples++;
      javaPhases.merge(key, 1L, Long::sum);
      self.merge(name(frames.get(0)), 1L, Long::sum);
      Set<String> seen = new HashSet<>();
      for (RecordedFrame frame : frames) {
        String name = name(frame);
        if ((name.startsWith("org.attribution.") || name.startsWith("ai.djl.")) && seen.add(name)) {
          inclusive.merge(name, 1L, Long::sum);
        }
      }
    }
    double seconds = (period == 0 ? 10 : period) / 1000.0;
    StringBuilder out = new StringBuilder();
    out.append("Profile ").append(file).append(String.format(Locale.ROOT, " (sampling period %d ms)%n",
        period == 0 ? 10 : period));
    out.append("Samples by thread kind (Java / native):\n");
    byThreadKind.forEach((kind, counts) -> out.append(String.format(Locale.ROOT, "  %-28s %7d / %7d%n", kind,
        counts[0], counts[1])));
    if (javaSamples == 0) {
      out.append("No Java samples of Spark task threads.\n");
      return out.toString();
    }
    out.append("JFR samples at most 5 threads in Java and 1 thread in native code per period, so with a few\n"
        + "task threads the Java samples are complete (samples x period = seconds of thread time) and the\n"
        + "native ones are not: native (libtorch) time is task time minus the Java time below.\n");
    appendSeconds(out, "Spark task threads, Java time by context | phase", javaPhases, javaSamples, seconds, top);
    appendSeconds(out, "Spark task threads, native samples by context | phase (undercounted)", nativePhases,
        nativePhases.values().stream().mapToLong(Long::longValue).sum(), seconds, top);
    append(out, "Top self frames (Java samples of task threads)", self, javaSamples, top);
    append(out, "Top inclusive frames (org.attribution.*, ai.djl.*; Java samples of task threads)", inclusive,
        javaSamples, top);
    return out.toString();
  }

  private static void appendSeconds(
      StringBuilder out, String title, Map<String, Long> counts, long total, double seconds, int top) {
    out.append(title).append(":\n");
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(top)
        .forEach(e -> out.append(String.format(Locale.ROOT, "  %7.1f s  %5.1f%%  %s%n", e.getValue() * seconds,
            100.0 * e.getValue() / total, e.getKey())));
  }

  private static String threadKind(String name) {
    if (name == null) {
      return "unknown";
    }
    if (name.startsWith("Executor task launch worker")) {
      return "Spark task threads";
    }
    if (name.startsWith("bench-bound-")) {
      return "compute bound threads";
    }
    return "other threads";
  }

  private static String phase(List<RecordedFrame> frames) {
    for (RecordedFrame frame : frames) {
      String name = name(frame);
      for (String[] rule : PHASES) {
        if (!rule[0].isEmpty() && name.startsWith(rule[0])) {
          return rule[1];
        }
      }
    }
    return "other";
  }

  private static String name(RecordedFrame frame) {
    RecordedMethod method = frame.getMethod();
    if (method == null) {
      return "?";
    }
    return method.getType().getName() + "." + method.getName();
  }

  private static void append(StringBuilder out, String title, Map<String, Long> counts, long total, int top) {
    out.append(title).append(":\n");
    Map<String, Long> sorted = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(top)
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    sorted.forEach((name, count) -> out.append(String.format(Locale.ROOT, "  %6.1f%%  %7d  %s%n",
        100.0 * count / total, count, name)));
  }
}
