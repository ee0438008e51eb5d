package dev.runbooks.activities.backup;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;

/**
 * Where a dump's time went, logged with each backup so that a slow one can be read from the
 * worker's log: the setup before pg_dump streams, the streaming itself and the CPU the worker's
 * pipeline (zstd, SHA-256, encryption, upload) took of it, the wait for the row counts read beside
 * the dump, and the commit and manifest after it.
 */
final class DumpTimings {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final long started = System.nanoTime();
  private long streaming;
  private long streamed;
  private long pipelineCpu;
  private long exited;
  private long counted;
  private volatile long countingTook;
  private long committed;

  /** pg_dump runs: the streaming begins, in the calling thread. */
  void streaming() {
    streaming = System.nanoTime();
    pipelineCpu = threadCpu();
  }

  /** pg_dump's output is all through the pipeline. */
  void streamed() {
    streamed = System.nanoTime();
    pipelineCpu = threadCpu() - pipelineCpu;
  }

  void exited() {
    exited = System.nanoTime();
  }

  /** The row counts are in; {@code took} is how long reading them took beside the dump. */
  void counted() {
    counted = System.nanoTime();
  }

  void countingTook(Duration took) {
    countingTook = took.toNanos();
  }

  void committed() {
    committed = System.nanoTime();
  }

  /** The line for the log, once the manifest is written. */
  String summary() {
    long done = System.nanoTime();
    return String.format(
        java.util.Locale.ROOT,
        "setup %d ms, streaming %d ms (the pipeline's CPU %s), pg_dump's exit %d ms, waiting"
            + " for the row counts %d ms (counting took %d ms beside the dump), commit %d ms,"
            + " manifest %d ms",
        ms(streaming - started),
        ms(streamed - streaming),
        pipelineCpu < 0 ? "not measured" : ms(pipelineCpu) + " ms",
        ms(exited - streamed),
        ms(counted - exited),
        ms(countingTook),
        ms(committed - counted),
        ms(done - committed));
  }

  private static long threadCpu() {
    return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }
}
