package org.attribution.model;

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
}
