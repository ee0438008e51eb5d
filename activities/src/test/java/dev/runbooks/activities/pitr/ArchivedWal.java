package dev.runbooks.activities.pitr;

import dev.runbooks.testing.LocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * WAL archived by the test cluster itself ({@code archive_command} copies into a directory), then
 * stored through {@link WalArchive}'s own store methods: the restore path is proven on the archive
 * format the archiver writes, without the archiver.
 */
final class ArchivedWal {
  final Path dir;
  private final Set<String> stored = new HashSet<>();

  ArchivedWal(Path dir) {
    this.dir = dir;
  }

  /** A directory the server's user can write into, for the cluster's archive_command. */
  static Path spool(String name) {
    Path dir =
        Path.of(
            System.getProperty("java.io.tmpdir"),
            "runbooks-" + name + "-" + ProcessHandle.current().pid());
    try {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return dir;
  }

  /** The settings that make a cluster archive into {@code dir}. */
  static String archiveCommand(Path dir) {
    return "cp %p " + dir + "/%f";
  }

  /** Switches to a new segment, waits until the server archived the old one, stores all. */
  void switchAndStore(LocalCluster cluster, WalArchive archive) throws Exception {
    String segment;
    try (Connection c = cluster.connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
      rs.next();
      segment = rs.getString(1);
    }
    long deadline = System.nanoTime() + 60_000_000_000L;
    // archive_command has returned for it (cp is done), not merely started writing it.
    while (!archived(cluster, segment)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the server did not archive " + segment + " in 60 s");
      }
      Thread.sleep(50);
    }
    store(archive, segment);
  }

  private static boolean archived(LocalCluster cluster, String segment) throws SQLException {
    String last = query(cluster, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver");
    // It may name a backup history file, 000000010000000000000002.00000028.backup.
    return last.length() >= 24
        && WalSegment.isName(last.substring(0, 24))
        && last.substring(0, 24).compareTo(segment) >= 0;
  }

  /** Stores every archived file up to {@code through} not stored yet. */
  void store(WalArchive archive, String through) throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.sorted().toList();
    }
    for (Path file : files) {
      String name = file.getFileName().toString();
      if (stored.contains(name) || (WalSegment.isName(name) && name.compareTo(through) > 0)) {
        continue;
      }
      if (WalSegment.isName(name)) {
        archive.storeSegment(file);
      } else if (WalFiles.isHistoryName(name)) {
        archive.storeHistory(file);
      } else {
        continue;
      }
      stored.add(name);
    }
  }

  /** The current WAL insert position, {@code 0/3000148}. */
  static String currentLsn(LocalCluster cluster) throws SQLException {
    return query(cluster, "SELECT pg_current_wal_insert_lsn()::text");
  }

  static String query(LocalCluster cluster, String sql) throws SQLException {
    try (Connection c = cluster.connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
