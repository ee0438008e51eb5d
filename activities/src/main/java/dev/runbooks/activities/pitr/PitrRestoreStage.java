package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.ObjectNotFoundException;
import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.workflows.pitr.PitrRestoreInput;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Plans and runs a point-in-time restore for the restore and the drill activities: the data
 * directory checked (absent or empty, or this same restore's leftovers), the plan, the recovery; a
 * failed recovery leaves the directory as it found it.
 */
final class PitrRestoreStage {
  private final KeyEncryptionKey kek;
  private final Clock clock;
  private final PitrRecovery recovery;

  PitrRestoreStage(KeyEncryptionKey kek, ServerHost host, Clock clock) {
    this.kek = kek;
    this.clock = clock;
    this.recovery = new PitrRecovery(kek, host);
  }

  PitrRecovery recovery() {
    return recovery;
  }

  WalArchive archive(BackupRepository repository, String target) {
    return new WalArchive(repository, kek, target, clock);
  }

  PitrPlanner.Plan plan(BackupRepository repository, PitrRestoreInput input) throws IOException {
    checkDirectory(Path.of(input.intoCluster()), input.idempotencyKey());
    WalArchive archive = archive(repository, input.target());
    WalInventory inventory = archive.inventory();
    return PitrPlanner.plan(
        input.target(),
        BaseBackups.complete(repository, input.target()),
        new PitrPlanner.Archive(
            inventory, endTime(archive, input.target(), inventory).orElse(null)),
        input.to(),
        input.lsnHint().isEmpty() ? -1 : WalSegment.parseLsn(input.lsnHint()),
        clock.instant());
  }

  /** Plans, then recovers into {@code input.intoCluster()}; undoes its own work on failure. */
  PitrRecovery.Recovered restore(
      BackupRepository repository,
      PitrRestoreInput input,
      String hbaFirstLine,
      boolean verifyBackup,
      Heartbeat heartbeat)
      throws IOException {
    PitrPlanner.Plan plan = plan(repository, input);
    Path dataDir = Path.of(input.intoCluster());
    boolean existed = Files.exists(dataDir);
    if (existed) {
      PitrRecovery.deleteTree(dataDir);
    }
    int port = input.port() != 0 ? input.port() : freePort();
    heartbeat.total(plan.toFetch());
    try {
      return recovery.recover(
          repository,
          archive(repository, input.target()),
          plan,
          input.to(),
          dataDir,
          new PitrRecovery.Settings(port, hbaFirstLine, verifyBackup, input.idempotencyKey()),
          heartbeat);
    } catch (IOException | RuntimeException e) {
      recovery.discard(dataDir, heartbeat);
      if (existed) {
        Files.createDirectories(dataDir);
      }
      throw e;
    }
  }

  /** The port the restored cluster listens on: from its configuration, last setting wins. */
  static int port(Path dataDir) throws IOException {
    int port = 5432;
    for (String line : Files.readAllLines(dataDir.resolve("postgresql.auto.conf"))) {
      if (line.startsWith("port = ")) {
        port = Integer.parseInt(line.substring("port = ".length()).strip());
      }
    }
    return port;
  }

  /**
   * Refuses a directory with anything in it, unless it is this same restore's own (an earlier
   * attempt's), which is replaced.
   */
  static void checkDirectory(Path dir, String ownerKey) throws IOException {
    if (!dir.isAbsolute()) {
      throw new PermanentBackupException(
          FailureType.BAD_INPUT,
          "--into-cluster "
              + dir
              + " is not an absolute path: give the new cluster's data directory on the"
              + " worker's host, such as /var/lib/postgresql/restored");
    }
    if (!Files.exists(dir)) {
      return;
    }
    if (!Files.isDirectory(dir)) {
      throw new PermanentBackupException(
          FailureType.BAD_INPUT,
          "--into-cluster " + dir + " is a file on the worker's host: name a new directory");
    }
    try (Stream<Path> entries = Files.list(dir)) {
      if (entries.findAny().isEmpty()) {
        return;
      }
    }
    Path owner = dir.resolve(PitrRecovery.OWNER_FILE);
    if (Files.isRegularFile(owner)
        && Files.readString(owner, StandardCharsets.UTF_8).equals(ownerKey)) {
      return;
    }
    throw new PermanentBackupException(
        FailureType.BAD_INPUT,
        "--into-cluster "
            + dir
            + " on the worker's host is not empty: a restore never writes over a directory's"
            + " contents, and nothing in it was touched. Name a new or empty directory");
  }

  /** When the newest WAL the archive holds was stored: the restorable window's end in time. */
  static Optional<Instant> endTime(WalArchive archive, String target, WalInventory inventory)
      throws IOException {
    Optional<WalInventory.TimelineWal> latest = inventory.latest();
    if (latest.isEmpty()) {
      return Optional.empty();
    }
    WalInventory.TimelineWal t = latest.get();
    String key = null;
    if (!t.partials().isEmpty()) {
      WalInventory.Partial p = t.partials().get(t.partials().size() - 1);
      if (t.lastComplete().isEmpty() || p.segment().compareTo(t.lastComplete().get()) > 0) {
        key = WalArchive.partialKey(target, p.segment());
      }
    }
    if (key == null && t.lastComplete().isPresent()) {
      key = WalArchive.segmentKey(target, t.lastComplete().get());
    }
    if (key == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(archive.header(key).storedAt());
    } catch (ObjectNotFoundException raced) {
      return Optional.empty();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
