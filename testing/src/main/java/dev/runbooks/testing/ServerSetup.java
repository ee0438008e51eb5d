package dev.runbooks.testing;

import dev.runbooks.pgtools.Command;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.pgtools.PgToolsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a throwaway server's data directory is made: initdb, its settings and pg_hba.conf for a
 * primary; pg_basebackup from a running primary, and the wait until it streams, for a replica.
 */
final class ServerSetup {
  private static final Logger log = LoggerFactory.getLogger(ServerSetup.class);

  /** sun_path holds 108 bytes with its NUL; the socket's lock file name is the longest we need. */
  private static final int MAX_SOCKET_PATH = 107;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,39}");
  private static final Pattern SETTING_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");

  private static final Duration INITDB_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration BASEBACKUP_TIMEOUT = Duration.ofMinutes(30);
  private static final Duration STREAMING_TIMEOUT = Duration.ofSeconds(60);

  private ServerSetup() {}

  static void requireName(String name) {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "expected a cluster name of letters, digits, '-' and '_' (at most 40, starting with a"
              + " letter or digit), but got '"
              + name
              + "'");
    }
  }

  /** {@code key} when it is a PostgreSQL setting's name. */
  static String requireSettingName(String key) {
    Objects.requireNonNull(key, "key");
    if (!SETTING_NAME.matcher(key).matches()) {
      throw new IllegalArgumentException(
          "expected a PostgreSQL setting name, but got '" + key + "'");
    }
    return key;
  }

  /** Makes a primary under {@code root} (initdb) and starts it: {@link LocalCluster.Builder}. */
  static LocalCluster newPrimary(
      PgBinaries binaries,
      Path root,
      String name,
      String password,
      int port,
      boolean keepWal,
      Map<String, String> settings) {
    ServerUser user = ServerUser.current();
    ClusterRegistry.prepareRoot(root, user);
    Path directory = ClusterRegistry.newClusterDirectory(root, name, user);
    PgServer server = new PgServer(binaries, user, name, false, directory, port);
    return launch(
        new LocalCluster(server, root, password, null),
        () -> {
          initdb(server, password, keepWal, settings);
          server.start();
        });
  }

  /**
   * Copies the running {@code primary} into a new replica under the same root, starts it and
   * returns once it streams: {@link LocalCluster#createReplica(String)}.
   */
  static LocalCluster newReplica(LocalCluster primary, String name) {
    PgServer from = primary.server();
    Path directory = ClusterRegistry.newClusterDirectory(primary.root(), name, from.user());
    PgServer server = new PgServer(from.binaries(), from.user(), name, true, directory, 0);
    String password = primary.superuserPassword().orElse(null);
    return launch(
        new LocalCluster(server, primary.root(), password, primary),
        () -> {
          copyReplica(from, server, password);
          server.start();
          waitUntilStreaming(primary, server);
        });
  }

  /** Registers {@code cluster} (so nothing is left behind) and sets it up; closes it on failure. */
  private static LocalCluster launch(LocalCluster cluster, Runnable setUp) {
    ClusterRegistry.register(cluster);
    try {
      setUp.run();
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * Makes {@code server}'s data directory with initdb, trusting local clients or, with a {@code
   * password}, requiring SCRAM over TCP; then writes pg_hba.conf, the throwaway cluster settings
   * and {@code extraSettings} after them. Without {@code keepWal}, WAL retention stays at
   * PostgreSQL's defaults (wal_keep_size 0).
   */
  private static void initdb(
      PgServer server, String password, boolean keepWal, Map<String, String> extraSettings) {
    Path directory = server.directory();
    List<String> argv =
        new ArrayList<>(
            List.of(
                server.binaries().bin("initdb").toString(),
                "-D",
                server.dataDir().toString(),
                "-U",
                LocalCluster.SUPERUSER,
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
                isLinux() ? "--locale=C.UTF-8" : "--locale=C"));
    Path pwfile = directory.resolve("superuser.pw");
    try {
      if (password != null) {
        Files.createFile(
            pwfile,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
        server.user().own(pwfile);
        argv.addAll(
            List.of("--auth-host=scram-sha-256", "--auth-local=trust", "--pwfile=" + pwfile));
      }
      Command.of(server.user().wrap(argv), directory, Map.of())
          .runChecked(INITDB_TIMEOUT, "initdb of " + server.describe());
    } catch (IOException e) {
      throw new PgToolsException("could not write " + pwfile + ": " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(pwfile);
      } catch (IOException e) {
        log.warn("Could not delete the initdb password file {}: {}", pwfile, e.toString());
      }
    }
    writeHba(server, password);
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("port", Integer.toString(server.port()));
    settings.put("listen_addresses", LocalCluster.HOST);
    settings.put("unix_socket_directories", socketDirectory(directory));
    settings.put("cluster_name", server.name());
    settings.put("fsync", "off");
    settings.put("wal_level", "replica");
    settings.put("max_wal_senders", "10");
    settings.put("hot_standby", "on");
    if (keepWal) {
      // A replica made or restarted a little later still finds the WAL it needs.
      settings.put("wal_keep_size", "64MB");
    }
    if (password != null) {
      settings.put("password_encryption", "scram-sha-256");
    }
    server.appendSettings("throwaway cluster settings", settings);
    if (!extraSettings.isEmpty()) {
      server.appendSettings("settings asked for", extraSettings);
    }
  }

  /**
   * Copies the running {@code primary} into {@code replica}'s data directory with pg_basebackup
   * (-R: it follows the primary once started) and gives the replica its own port, socket directory
   * and cluster_name.
   */
  private static void copyReplica(PgServer primary, PgServer replica, String password) {
    List<String> argv =
        List.of(
            primary.binaries().bin("pg_basebackup").toString(),
            "-h",
            LocalCluster.HOST,
            "-p",
            Integer.toString(primary.port()),
            "-U",
            LocalCluster.SUPERUSER,
            "-w",
            "-D",
            replica.dataDir().toString(),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
            "--no-sync");
    // -R writes the connection it used into primary_conninfo, password included: the replica
    // authenticates with SCRAM like any client. The password travels in the environment only.
    Map<String, String> env = password == null ? Map.of() : Map.of("PGPASSWORD", password);
    Command.of(replica.user().wrap(argv), replica.directory(), env)
        .runChecked(
            BASEBACKUP_TIMEOUT,
            "copying " + primary.describe() + " into replica '" + replica.name() + "'");
    if (password != null) {
      ReplicaPassfile.write(
          replica.directory(),
          replica.dataDir(),
          password,
          replica.user(),
          LocalCluster.HOST,
          primary.port());
    }
    Map<String, String> own = new LinkedHashMap<>();
    own.put("port", Integer.toString(replica.port()));
    own.put("unix_socket_directories", socketDirectory(replica.directory()));
    own.put("cluster_name", replica.name());
    replica.appendSettings("this replica's own settings", own);
  }

  /** Returns once {@code primary}'s pg_stat_replication shows {@code replica} streaming. */
  private static void waitUntilStreaming(LocalCluster primary, PgServer replica) {
    long deadline = System.nanoTime() + STREAMING_TIMEOUT.toNanos();
    String seen = "no row";
    try (Connection connection = primary.connect("postgres");
        PreparedStatement query =
            connection.prepareStatement(
                "select state from pg_stat_replication where application_name = ?")) {
      query.setString(1, replica.name());
      while (true) {
        try (ResultSet rows = query.executeQuery()) {
          seen = rows.next() ? rows.getString(1) : "no row";
        }
        if ("streaming".equals(seen)) {
          return;
        }
        if (!replica.isRunning() || System.nanoTime() > deadline) {
          break;
        }
        Thread.sleep(25);
      }
    } catch (SQLException e) {
      seen = "unknown (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PgToolsException("interrupted while waiting for " + replica.describe(), e);
    }
    throw new PgToolsException(
        "expected "
            + replica.describe()
            + " to stream from "
            + primary
            + " within "
            + STREAMING_TIMEOUT.toSeconds()
            + " s, but pg_stat_replication shows: "
            + seen
            + (replica.isRunning() ? "" : " and the replica's server is not running")
            + "\nlast lines of the replica's log:\n"
            + replica.logTail(20));
  }

  /** Local socket trusted; TCP from 127.0.0.1 trusted or SCRAM, replication included. */
  private static void writeHba(PgServer server, String password) {
    String method = password == null ? "trust" : "scram-sha-256";
    String hba =
        "# Written by runbooks for a throwaway cluster.\n"
            + "local   all          all                 trust\n"
            + "local   replication  all                 trust\n"
            + "host    all          all  127.0.0.1/32   "
            + method
            + "\n"
            + "host    replication  all  127.0.0.1/32   "
            + method
            + "\n";
    try {
      Files.writeString(
          server.dataDir().resolve("pg_hba.conf"),
          hba,
          StandardCharsets.UTF_8,
          StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new PgToolsException("could not write pg_hba.conf of " + server.describe(), e);
    }
  }

  /** The cluster directory as socket directory, or none (TCP only) when its path is too long. */
  private static String socketDirectory(Path directory) {
    String socketLock = directory + "/.s.PGSQL.65535.lock";
    return socketLock.getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH
        ? directory.toString()
        : "";
  }

  private static boolean isLinux() {
    return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
  }
}
