package dev.runbooks.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * CPU time from Linux's {@code /proc/<pid>/stat}: a process's own, and that of its children it has
 * waited for. Unlike wall time it hardly moves when other work shares the cores, so a dump's CPU
 * beside its floor's says where the time goes even on a busy machine.
 */
final class CpuTime {
  /** The kernel reports in USER_HZ, 100 on Linux whatever the timer frequency. */
  private static final long TICKS_PER_SECOND = 100;

  /** The server's backends are reaped by the postmaster shortly after they disconnect. */
  static final Duration REAP_WAIT = Duration.ofMillis(300);

  private CpuTime() {}

  /** utime + stime of {@code pid} itself; zero once it is gone. */
  static Duration own(long pid) {
    long[] t = ticks(pid);
    return of(t[0] + t[1]);
  }

  /** cutime + cstime: the CPU of the children {@code pid} has waited for; zero once it is gone. */
  static Duration children(long pid) {
    long[] t = ticks(pid);
    return of(t[2] + t[3]);
  }

  /** Own and children's. */
  static Duration total(long pid) {
    return own(pid).plus(children(pid));
  }

  static Duration self() {
    return children(ProcessHandle.current().pid());
  }

  /** Lets the postmaster reap the backends of a run that just ended before their CPU is read. */
  static void awaitReaping() {
    try {
      Thread.sleep(REAP_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Duration of(long ticks) {
    return Duration.ofMillis(ticks * 1000 / TICKS_PER_SECOND);
  }

  /** utime, stime, cutime, cstime. */
  private static long[] ticks(long pid) {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return new long[4];
    }
    // Fields after the command name, which may hold spaces: field 3 (state) is rest[0].
    String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    return new long[] {
      Long.parseLong(rest[11]),
      Long.parseLong(rest[12]),
      Long.parseLong(rest[13]),
      Long.parseLong(rest[14])
    };
  }
}
