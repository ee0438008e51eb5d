package dev.runbooks.activities.pitr;

import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.workflows.pitr.PitrTarget;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fetches the WAL a recovery replays, and no more, into the directory its {@code restore_command}
 * copies from, while the recovery runs: {@link #announce()} names the files still to come, and the
 * restore command ({@link RecoveryConfig#restoreCommand}) waits for an announced file until it is
 * there, so replay starts with the first segment fetched. First the plan's initial files (to the
 * target's segment when its LSN is known, else to the base backup's end), then, for a time or a
 * restore point known only by name, one segment after another until one holds the record recovery
 * stops at: the first commit or abort after the time (read with {@code pg_waldump}), or the restore
 * point. A record split across two segments is not seen in either, so the search goes on to a later
 * one: more WAL than needed, never less. Recovery that still runs out before its target asks for
 * the next segment ({@link #fetchNext}).
 *
 * <p>A fetch that fails leaves {@link #FETCHING} in place: the restore command goes on waiting and
 * the recovery never mistakes the missing file for the archive's end (which, for a restore to the
 * latest point, would promote there); the caller stops the server and reports the failure.
 */
final class WalFetch {
  private static final Pattern XACT_END =
      Pattern.compile(
          "desc: (?:COMMIT|ABORT)(?:_PREPARED)? (?:\\d+: )?"
              + "(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{6}) UTC");
  private static final DateTimeFormatter WALDUMP_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  private final WalArchive archive;
  private final ServerHost host;
  private final PitrPlanner.Plan plan;
  private final PitrTarget to;
  private final Path walDir;

  /** Present while files are still being fetched: the restore command waits for them. */
  static final String FETCHING = ".fetching";

  /** The names the fetch may yet bring, one per line: the restore command waits only for these. */
  static final String PLANNED = ".planned";

  private volatile int fetched;
  private volatile long bytes;
  private volatile boolean stopped;

  WalFetch(WalArchive archive, ServerHost host, PitrPlanner.Plan plan, PitrTarget to, Path walDir) {
    this.archive = archive;
    this.host = host;
    this.plan = plan;
    this.to = to;
    this.walDir = walDir;
  }

  /** How many WAL files are in the directory. */
  int fetched() {
    return fetched;
  }

  /** Their size as stored (encrypted). */
  long bytes() {
    return bytes;
  }

  /**
   * Tells the restore command what is coming: the plan's files, and that they are being fetched.
   * Called before the fetch starts, and before the server does.
   */
  void announce() throws IOException {
    Path planned = walDir.resolve(PLANNED);
    Files.write(planned, plan.walFiles(), StandardCharsets.UTF_8);
    host.ownFile(planned);
    Path fetching = walDir.resolve(FETCHING);
    Files.writeString(fetching, "");
    host.ownFile(fetching);
  }

  /**
   * Fetches what recovery needs, then lets the restore command answer "no such file" for the rest;
   * see the class comment.
   */
  void fetchAnnounced(Heartbeat heartbeat) throws IOException {
    fetchForRecovery(heartbeat);
    Files.deleteIfExists(walDir.resolve(FETCHING));
  }

  /** Ends the fetch after the file it is on: the recovery has what it needed. */
  void stop() {
    stopped = true;
  }

  /** Fetches what recovery needs; see the class comment. */
  void fetchForRecovery(Heartbeat heartbeat) throws IOException {
    while (fetched < plan.initial() && fetchNext(heartbeat)) {
      heartbeat.check();
    }
    if (!plan.scan()) {
      return;
    }
    // The base backup's last segment may already hold the target.
    while (fetched > 0
        && !holdsTarget(plan.walFiles().get(fetched - 1), heartbeat)
        && fetchNext(heartbeat)) {
      heartbeat.check();
    }
  }

  /**
   * Fetches the next WAL file of the plan.
   *
   * @return false when the plan has no more: the archive ends there
   */
  boolean fetchNext(Heartbeat heartbeat) throws IOException {
    if (stopped || fetched >= plan.walFiles().size()) {
      return false;
    }
    heartbeat.check();
    String name = plan.walFiles().get(fetched);
    Path into = walDir.resolve(name);
    bytes += archive.fetch(name, into).bytes();
    host.ownFile(into);
    fetched++;
    heartbeat.add(1);
    return true;
  }

  /** Whether the WAL file {@code name} holds the record recovery to the target stops at. */
  private boolean holdsTarget(String name, Heartbeat heartbeat) throws IOException {
    if (!WalSegment.isName(name)) {
      return false;
    }
    boolean time = to.kind() == PitrTarget.Kind.TIME;
    // A restore point's record holds its name: a segment without those bytes cannot hold it, and
    // pg_waldump (a process decoding all 16 MB) is asked only about one that has them.
    if (!time && !contains(walDir.resolve(name), to.value().getBytes(StandardCharsets.UTF_8))) {
      return false;
    }
    String file = walDir.resolve(name).toString();
    // Times in UTC; it exits non-zero at a record that goes on into the next segment: read anyway.
    ServerHost.Result r =
        host.run(
            List.of(
                host.bin("pg_waldump"), "--rmgr=" + (time ? "Transaction" : "XLOG"), file, file),
            Map.of("TZ", "UTC"),
            heartbeat);
    return time
        ? endsTransactionAfter(r.output(), Instant.parse(to.value()))
        : r.output().lines().anyMatch(l -> l.endsWith("desc: RESTORE_POINT " + to.value()));
  }

  /** Whether {@code file} holds the bytes {@code needle}, read a megabyte at a time. */
  static boolean contains(Path file, byte[] needle) throws IOException {
    byte[] buffer = new byte[(1 << 20) + needle.length];
    int kept = 0;
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.readNBytes(buffer, kept, buffer.length - kept)) > 0) {
        int end = kept + n;
        for (int i = 0; i + needle.length <= end; i++) {
          if (buffer[i] == needle[0]
              && Arrays.equals(buffer, i, i + needle.length, needle, 0, needle.length)) {
            return true;
          }
        }
        // The last bytes could begin a match that ends in the next read.
        kept = Math.min(end, needle.length - 1);
        System.arraycopy(buffer, end - kept, buffer, 0, kept);
      }
    }
    return false;
  }

  /** Whether {@code pg_waldump}'s output has a commit or an abort after {@code time}. */
  static boolean endsTransactionAfter(String waldump, Instant time) {
    Matcher m = XACT_END.matcher(waldump);
    while (m.find()) {
      if (LocalDateTime.parse(m.group(1), WALDUMP_TIME).toInstant(ZoneOffset.UTC).isAfter(time)) {
        return true;
      }
    }
    return false;
  }
}
