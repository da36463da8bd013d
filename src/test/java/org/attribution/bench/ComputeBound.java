package org.attribution.bench;

import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.attribution.model.ModelFunction;

/**
 * The compute bound of a job: the model alone doing a given set of calls, with no Spark, no data
 * conversion and no attribution arithmetic around it, on {@code threads} threads at once (one per
 * Spark task slot, like the job's tasks), each call on arrays prepared before the clock starts.
 */
final class ComputeBound {

  /**
   * Model calls of one shape.
   *
   * @param gradient gradient() calls if true, forward() calls otherwise
   * @param rows rows per call
   * @param calls number of such calls in total (over all threads)
   */
  record Calls(boolean gradient, int rows, long calls) {
    long evaluations() {
      return (long) rows * calls;
    }

    @Override
    public String toString() {
      return calls + " x " + (gradient ? "gradient" : "forward") + "[" + rows + "]";
    }
  }

  /**
   * @param seconds wall time of the timed part, all threads together
   * @param evaluations rows evaluated by the model (forward and gradient rows alike)
   * @param gradientEvaluations of those, rows evaluated by gradient()
   * @param threads threads that ran calls
   * @param libtorchThreads libtorch's intra-op thread count as seen from a worker thread
   */
  record Result(double seconds, long evaluations, long gradientEvaluations, int threads, int libtorchThreads) {
    double evaluationsPerSecond() {
      return evaluations / seconds;
    }
  }

  private static final Map<Integer, ExecutorService> POOLS = new ConcurrentHashMap<>();
  private static final long WARM_UP_NANOS = 2_000_000_000L;

  private ComputeBound() {}

  /** Evaluations the calls make in total. */
  static long evaluations(List<Calls> plan) {
    return plan.stream().mapToLong(Calls::evaluations).sum();
  }

  /**
   * Runs the calls: each thread takes its share of every shape (calls of one shape split as evenly
   * as they go), warms up for 2 seconds with calls of every shape, waits for the others, and then
   * runs its share with the clock on.
   *
   * @param target the output differentiated by gradient calls
   */
  static Result run(ModelFunction model, List<Calls> plan, int threads, int target) {
    int width = model.inputWidth();
    CyclicBarrier ready = new CyclicBarrier(threads + 1);
    int[] libtorchThreads = new int[1];
    List<Future<?>> work = new ArrayList<>();
    ExecutorService pool = pool(threads);
    for (int t = 0; t < threads; t++) {
      int index = t;
      work.add(pool.submit(() -> {
        List<float[]> inputs = new ArrayList<>();
        List<int[]> targets = new ArrayList<>();
        long[] share = new long[plan.size()];
        SplittableRandom random = new SplittableRandom(1234 + index);
        for (int s = 0; s < plan.size(); s++) {
          Calls calls = plan.get(s);
          share[s] = calls.calls() / threads + (index < calls.calls() % threads ? 1 : 0);
          float[] x = new float[calls.rows() * width];
          for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble();
          }
          inputs.add(x);
          int[] y = new int[calls.rows()];
          java.util.Arrays.fill(y, target);
          targets.add(y);
        }
        try {
          // Warm up: every shape at least once, then round-robin for WARM_UP_NANOS, so that
          // libtorch's and the allocator's per-thread state is in its steady state when timing
          // starts (the first calls on a thread fault in fresh memory).
          long warmUntil = System.nanoTime() + WARM_UP_NANOS;
          do {
            for (int s = 0; s < plan.size(); s++) {
              call(model, plan.get(s), inputs.get(s), targets.get(s));
            }
          } while (System.nanoTime() < warmUntil);
          if (index == 0) {
            libtorchThreads[0] = JniUtils.getNumThreads();
          }
        } finally {
          ready.await();
        }
        // Interleave shapes the way a job does (a batch's gradient calls, then its forward
        // calls), so no thread ends with a long run of one shape.
        long[] left = share.clone();
        long unit = Math.max(1, minPositive(share));
        boolean any = true;
        while (any) {
          any = false;
          for (int s = 0; s < plan.size(); s++) {
            long per = Math.max(1, share[s] / unit);
            for (long i = 0; i < per && left[s] > 0; i++, left[s]--) {
              call(model, plan.get(s), inputs.get(s), targets.get(s));
              any = true;
            }
          }
        }
        return null;
      }));
    }
    long start;
    try {
      ready.await();
      start = System.nanoTime();
      for (Future<?> f : work) {
        f.get();
      }
    } catch (InterruptedException | BrokenBarrierException e) {
      throw new IllegalStateException("compute bound run failed", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("compute bound run failed", e.getCause());
    }
    long end = System.nanoTime();
    long gradientEvaluations = plan.stream().filter(Calls::gradient).mapToLong(Calls::evaluations).sum();
    return new Result((end - start) / 1e9, evaluations(plan), gradientEvaluations, threads, libtorchThreads[0]);
  }

  /**
   * The worker threads, made once per thread count and reused by every run, as Spark reuses its
   * task threads: libtorch and the C allocator keep per-thread state (malloc arenas), and fresh
   * threads would pay to warm it up again.
   */
  private static synchronized ExecutorService pool(int threads) {
    return POOLS.computeIfAbsent(threads, n -> {
      AtomicInteger count = new AtomicInteger();
      return Executors.newFixedThreadPool(n, r -> {
        Thread t = new Thread(r, "bench-bound-" + count.getAndIncrement());
        t.setDaemon(true);
        return t;
      });
    });
  }

  private static long minPositive(long[] values) {
    long min = Long.MAX_VALUE;
    for (long v : values) {
      if (v > 0) {
        min = Math.min(min, v);
      }
    }
    return min == Long.MAX_VALUE ? 1 : min;
  }

  private static void call(ModelFunction model, Calls calls, float[] inputs, int[] targets) {
    if (calls.gradient()) {
      model.gradient(inputs, calls.rows(), targets, null);
    } else {
      model.forward(inputs, calls.rows());
    }
  }
}
