package org.attribution.model;

import ai.djl.util.Utils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * JVM-wide PyTorch engine settings, which must be in place before the engine first starts.
 *
 * <p>DJL's PyTorch engine reads the system properties {@code ai.djl.pytorch.num_threads} and
 * {@code ai.djl.pytorch.num_interop_threads} once, when it starts ({@code PtEngine.newInstance}
 * passes them to libtorch's {@code set_num_threads} and {@code set_num_interop_threads}).
 * libtorch refuses to change the inter-op pool once it has run work, so setting them later
 * could not be relied on; hence these are properties set early, and the first caller in a JVM
 * wins. On an executor that first caller is the first task, and every task of a job passes the
 * same values.
 */
public final class EngineSettings {

  static final String INTRA_OP_THREADS = "ai.djl.pytorch.num_threads";
  static final String INTER_OP_THREADS = "ai.djl.pytorch.num_interop_threads";
  static final String OFFLINE = "ai.djl.offline";
  /** DJL's version, which names its JNI library files. */
  static final String DJL_VERSION = ai.djl.engine.Engine.getDjlVersion();

  private EngineSettings() {}

  /**
   * Sets libtorch's thread pools for this JVM, unless a caller did already or the properties
   * were given on the command line (which then win), and turns on {@link #preferOffline()}.
   *
   * <p>Several tasks share an executor's cores, so one model call rarely gains from many
   * intra-op threads; the caller sizes them from the cores per task.
   *
   * @param intraOpThreads threads one operator may use, at least 1
   * @param interOpThreads threads that run independent operators in parallel, at least 1
   * @throws IllegalArgumentException if a count is below 1
   */
  public static synchronized void configureThreads(int intraOpThreads, int interOpThreads) {
    if (intraOpThreads < 1 || interOpThreads < 1) {
      throw new IllegalArgumentException(
          "Cannot configure engine threads: counts must be at least 1, got intra-op "
              + intraOpThreads + " and inter-op " + interOpThreads);
    }
    preferOffline();
    setUnlessSet(INTRA_OP_THREADS, Integer.toString(intraOpThreads));
    setUnlessSet(INTER_OP_THREADS, Integer.toString(interOpThreads));
  }

  /**
   * Keeps DJL from reaching the network (for native libraries or model zoo metadata) unless
   * {@code ai.djl.offline} was set explicitly: executors often have no internet, and the
   * native library is bundled in the job jar.
   */
  public static synchronized void preferOffline() {
    setUnlessSet(OFFLINE, "true");
  }

  private static void setUnlessSet(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  /** DJL's JNI flavors for libtorch 2.x, to say which ones a jar carries. */
  private static final List<String> FLAVORS = List.of("cpu", "cpu-precxx11", "cu117", "cu118", "cu121", "cu124",
      "cu126", "cu128", "cu129");
  private static final String JNI = "libdjl_torch.so";
  private static volatile boolean flavorChecked;

  /**
   * Checks, before the engine starts, that DJL will find its JNI library for the configured
   * {@code PYTORCH_FLAVOR}: without one DJL fails every model load with "Cannot copy jni files",
   * its cause (the flavor's resource missing from the class path) buried in the stack trace.
   *
   * @throws IllegalStateException naming the flavors the class path carries and how to bring one
   */
  public static void checkFlavor() {
    if (flavorChecked) {
      return;
    }
    String libraryPath = Utils.getEnvOrSystemProperty("PYTORCH_LIBRARY_PATH");
    String problem = flavorProblem(Utils.getEnvOrSystemProperty("PYTORCH_FLAVOR"), platform(),
        libraryPath == null ? null : Path.of(libraryPath), Utils.getEngineCacheDir("pytorch"),
        resource -> EngineSettings.class.getClassLoader().getResource(resource) != null);
    if (problem != null) {
      throw new IllegalStateException(problem);
    }
    flavorChecked = true;
  }

  /**
   * What stops DJL finding a JNI library for {@code flavor}, or null when nothing does.
   *
   * @param flavor {@code PYTORCH_FLAVOR}, or null when unset (DJL then picks what the jar has)
   * @param platform DJL's platform classifier, e.g. {@code linux-x86_64}
   * @param libraryPath {@code PYTORCH_LIBRARY_PATH}, or null; DJL looks for the JNI there first
   * @param cacheDir DJL's PyTorch cache, where a JNI unpacked or installed earlier is found
   * @param onClassPath whether a resource is on the class path
   */
  static String flavorProblem(String flavor, String platform, Path libraryPath, Path cacheDir,
      Predicate<String> onClassPath) {
    if (flavor == null || flavor.isBlank() || onClassPath.test(jniResource(platform, flavor))) {
      return null;
    }
    if (libraryPath != null && (Files.exists(libraryPath.resolve(JNI))
        || Files.exists(libraryPath.resolve(DJL_VERSION + "-" + JNI)))) {
      return null;
    }
    if (cacheDir != null && Files.isDirectory(cacheDir)) {
      try (Stream<Path> dirs = Files.list(cacheDir)) {
        if (dirs.anyMatch(dir -> dir.getFileName().toString().endsWith("-" + flavor + "-" + platform)
            && Files.exists(dir.resolve(DJL_VERSION + "-" + JNI)))) {
          return null;
        }
      } catch (IOException e) {
        // An unreadable cache cannot supply the library either: report what is missing.
      }
    }
    List<String> carried = FLAVORS.stream().filter(f -> onClassPath.test(jniResource(platform, f))).toList();
    return "Cannot start the PyTorch engine with PYTORCH_FLAVOR=" + flavor + ": the job jar carries DJL's JNI library"
        + " for " + (carried.isEmpty() ? "no flavor" : String.join(", ", carried)) + " only, and "
        + (libraryPath == null ? "PYTORCH_LIBRARY_PATH is not set" : "PYTORCH_LIBRARY_PATH (" + libraryPath
            + ") holds no " + JNI)
        + "; set PYTORCH_FLAVOR to one the jar carries, with a libtorch of that build in PYTORCH_LIBRARY_PATH,"
        + " or put a " + JNI + " built for " + flavor + " and DJL " + DJL_VERSION + " into PYTORCH_LIBRARY_PATH";
  }

  private static String jniResource(String platform, String flavor) {
    return "jnilib/" + platform + "/" + flavor + "/" + JNI;
  }

  private static String platform() {
    String arch = System.getProperty("os.arch");
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    return (os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "osx" : "win") + "-"
        + (arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch);
  }
}
