package org.attribution.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the machine was with other processes during a measurement: CPU time of the whole
 * system from /proc/stat minus this process's own from /proc/self/stat, in cores. A shared machine
 * (another build or test run) shows up here, and a timing taken under load should not be trusted.
 * NaN where /proc is not there.
 */
final class LoadMonitor {

  /** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
  private static final double TICKS = 100.0;

  private final long startNanos = System.nanoTime();
  private final long startBusy = systemBusyTicks();
  private final long startOwn = ownTicks();

  /** Cores' worth of CPU other processes used since this monitor was made. */
  double otherCores() {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    long busy = systemBusyTicks();
    long own = ownTicks();
    if (busy < 0 || own < 0 || startBusy < 0 || startOwn < 0 || seconds <= 0) {
      return Double.NaN;
    }
    return Math.max(0, ((busy - startBusy) - (own - startOwn)) / TICKS / seconds);
  }

  /** CPU time of this process in cores since this monitor was made. */
  double ownCores() {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    long own = ownTicks();
    return own < 0 || startOwn < 0 ? Double.NaN : (own - startOwn) / TICKS / seconds;
  }

  private static long systemBusyTicks() {
    try {
      String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = line.trim().split("\\s+");
      // cpu user nice system idle iowait irq softirq steal ...
      long busy = 0;
      for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
        busy += Long.parseLong(f[i]);
      }
      return busy;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static long ownTicks() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      // after "(comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12 here
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
