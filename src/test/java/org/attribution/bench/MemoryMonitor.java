package org.attribution.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Peak memory of this JVM during a measured phase.
 *
 * <ul>
 *   <li>peak heap used: {@link MemoryMXBean#getHeapMemoryUsage()} polled every 10 ms (live data
 *       plus garbage not yet collected, so it follows the collector's heap sizing too);
 *   <li>peak heap after GC: the largest heap occupancy right after a collection, from the GC
 *       notifications; closer to the live set than the polled peak;
 *   <li>peak RSS: the kernel's VmHWM of the process, reset at the start of the phase by writing 5
 *       to /proc/self/clear_refs (Linux 4.0+; if that fails the value is the process lifetime peak,
 *       and {@link #rssReset()} says so). It includes libtorch's native memory.
 * </ul>
 */
final class MemoryMonitor implements AutoCloseable {

  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final Set<String> heapPools = new HashSet<>();
  private final AtomicLong peakUsed = new AtomicLong();
  private final AtomicLong peakAfterGc = new AtomicLong();
  private final AtomicLong collections = new AtomicLong();
  private final Thread poller;
  private final NotificationListener listener = this::onNotification;
  private volatile boolean running = true;
  private boolean rssReset;

  MemoryMonitor() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heapPools.add(pool.getName());
      }
    }
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
      }
    }
    poller = new Thread(() -> {
      while (running) {
        peakUsed.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "bench-memory-poller");
    poller.setDaemon(true);
    poller.start();
  }

  /** Starts a new phase: collects garbage, then resets every peak. */
  void reset() {
    System.gc();
    peakUsed.set(memory.getHeapMemoryUsage().getUsed());
    peakAfterGc.set(0);
    collections.set(0);
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      rssReset = true;
    } catch (IOException | RuntimeException e) {
      rssReset = false;
    }
  }

  long peakHeapUsed() {
    return Math.max(peakUsed.get(), memory.getHeapMemoryUsage().getUsed());
  }

  /** Largest heap occupancy after a collection in this phase; 0 if none ran. */
  long peakHeapAfterGc() {
    return peakAfterGc.get();
  }

  long collections() {
    return collections.get();
  }

  long maxHeap() {
    return memory.getHeapMemoryUsage().getMax();
  }

  /** VmHWM of this process in bytes, -1 where /proc is not there. */
  static long peakRss() {
    return procStatus("VmHWM:");
  }

  static long rss() {
    return procStatus("VmRSS:");
  }

  boolean rssReset() {
    return rssReset;
  }

  private static long procStatus(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(key)) {
          String[] parts = line.substring(key.length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024L;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  private void onNotification(Notification notification, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info =
        GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
    long after = 0;
    for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(pool.getKey())) {
        after += pool.getValue().getUsed();
      }
    }
    collections.incrementAndGet();
    peakAfterGc.accumulateAndGet(after, Math::max);
  }

  @Override
  public void close() {
    running = false;
    poller.interrupt();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        try {
          emitter.removeNotificationListener(listener);
        } catch (javax.management.ListenerNotFoundException e) {
          // not registered on this one
        }
      }
    }
  }
}
