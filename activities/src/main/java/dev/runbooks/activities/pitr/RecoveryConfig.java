package dev.runbooks.activities.pitr;

import dev.runbooks.workflows.pitr.PitrTarget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** The recovery settings a point-in-time restore writes into the unpacked data directory. */
final class RecoveryConfig {
  private static final DateTimeFormatter PG_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSx").withZone(ZoneOffset.UTC);

  private RecoveryConfig() {}

  /**
   * Makes {@code dataDir} start in recovery: {@code recovery.signal}, and in {@code
   * postgresql.auto.conf} the restore command copying from {@code walDir}, the target, promotion,
   * and the restored cluster's own port and settings.
   */
  static void write(Path dataDir, Path walDir, PitrTarget to, PitrRecovery.Settings settings)
      throws IOException {
    ensureFile(dataDir.resolve("postgresql.conf"), "");
    ensureFile(
        dataDir.resolve("pg_hba.conf"),
        "local all all peer\nhost all all 127.0.0.1/32 scram-sha-256\n");
    if (!settings.hbaFirstLine().isEmpty()) {
      Path hba = dataDir.resolve("pg_hba.conf");
      Files.writeString(hba, settings.hbaFirstLine() + "\n" + Files.readString(hba));
    }
    Files.deleteIfExists(dataDir.resolve("standby.signal"));
    ensureFile(dataDir.resolve("recovery.signal"), "");
    List<String> lines = new ArrayList<>();
    lines.add("# written by runbooks for a point-in-time restore");
    lines.add("restore_command = '" + restoreCommand(walDir).replace("'", "''") + "'");
    lines.add("recovery_target_timeline = 'latest'");
    lines.add("recovery_target_action = 'promote'");
    lines.addAll(targetSettings(to));
    lines.add("port = " + settings.port());
    lines.add("listen_addresses = '127.0.0.1'");
    lines.add("unix_socket_directories = ''");
    lines.add("archive_mode = 'off'");
    lines.add("primary_conninfo = ''");
    lines.add("primary_slot_name = ''");
    lines.add("logging_collector = 'off'");
    lines.add("log_destination = 'stderr'");
    lines.add("lc_messages = 'C'");
    lines.add("hot_standby = 'on'");
    Files.write(
        dataDir.resolve("postgresql.auto.conf"),
        lines,
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  /**
   * The shell command that gives the server a WAL file from {@code walDir}: at once when it is
   * there; when it is one {@link WalFetch} announced and is still fetching, as soon as it arrives
   * (each file appears whole, by a rename); otherwise "no such file" (exit 1), which ends recovery
   * at the archive's end or probes for a newer timeline. The file is given as a hard link where the
   * data directory is on the same file system (no 16 MB copy per segment while replay waits; the
   * server only renames and reads what it restored), else copied.
   */
  static String restoreCommand(Path walDir) {
    String dir = walDir.toAbsolutePath().toString();
    if (dir.contains("\"") || dir.contains("$") || dir.contains("`") || dir.contains("\\")) {
      throw new IllegalArgumentException(
          "the WAL directory " + dir + " has a character the restore command cannot quote");
    }
    String file = "\"" + dir + "/%f\"";
    return "while [ ! -f "
        + file
        + " ] && [ -f \""
        + dir
        + "/"
        + WalFetch.FETCHING
        + "\" ] && grep -qxF \"%f\" \""
        + dir
        + "/"
        + WalFetch.PLANNED
        + "\"; do sleep 0.1; done; ln -f "
        + file
        + " \"%p\" 2>/dev/null || cp "
        + file
        + " \"%p\"";
  }

  static List<String> targetSettings(PitrTarget to) {
    return switch (to.kind()) {
      case TIME ->
          List.of("recovery_target_time = '" + PG_TIME.format(Instant.parse(to.value())) + "'");
      case LSN -> List.of("recovery_target_lsn = '" + to.value() + "'");
      case RESTORE_POINT ->
          List.of("recovery_target_name = '" + to.value().replace("'", "''") + "'");
      case LATEST -> List.of();
    };
  }

  private static void ensureFile(Path file, String contents) throws IOException {
    if (!Files.exists(file)) {
      Files.writeString(file, contents);
      Files.setOwner(file, Files.getOwner(file.getParent()));
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
  }
}
