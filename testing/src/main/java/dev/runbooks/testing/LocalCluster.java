package dev.runbooks.testing;

import dev.runbooks.pgtools.MissingPostgresException;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.pgtools.PgToolsException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway PostgreSQL cluster made from the local server binaries, in its own directory under a
 * root ({@code ${java.io.tmpdir}/runbooks-pg} unless a base directory is given), listening on
 * 127.0.0.1 only. Closing it stops the server and deletes the directory.
 *
 * <p>Nothing is left behind: every cluster is registered, and a JVM shutdown hook stops and deletes
 * those still open. A JVM killed outright cannot run that hook, so each cluster directory holds an
 * {@code owner.pid} naming its JVM, and the first cluster a JVM makes under a root reaps the
 * directories there whose JVM is gone.
 *
 * <p>When the JVM runs as root (PostgreSQL refuses to), the cluster directory belongs to the OS
 * user {@code postgres} and the server programs run through {@code runuser -u postgres --}.
 */
public final class LocalCluster implements AutoCloseable {
  public static final String HOST = "127.0.0.1";
  public static final String SUPERUSER = "postgres";

  private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);

  private final PgServer server;
  private final Path root;
  private final String password;
  private final LocalCluster primary;
  private final List<LocalCluster> replicas = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  LocalCluster(PgServer server, Path root, String password, LocalCluster primary) {
    this.server = server;
    this.root = root;
    this.password = password;
    this.primary = primary;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Where clusters go unless a base directory is given: {@code ${java.io.tmpdir}/runbooks-pg}. */
  public static Path defaultRoot() {
    return Path.of(System.getProperty("java.io.tmpdir"), "runbooks-pg")
        .toAbsolutePath()
        .normalize();
  }

  /**
   * The name given at build time, also its {@code cluster_name} and, for a replica, its {@code
   * application_name}.
   */
  public String name() {
    return server.name();
  }

  public String host() {
    return HOST;
  }

  public int port() {
    return server.port();
  }

  /**
   * The cluster's own directory: {@code owner.pid}, {@code postgres.log} and the data directory.
   */
  public Path directory() {
    return server.directory();
  }

  public Path dataDir() {
    return server.dataDir();
  }

  /** The server's log file (pg_ctl -l). */
  public Path logFile() {
    return server.logFile();
  }

  /** The binaries this cluster runs on; use its pg_dump and pg_restore for matching versions. */
  public PgBinaries binaries() {
    return server.binaries();
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}, without user or password. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + HOST + ":" + server.port() + "/" + database;
  }

  public String superuser() {
    return SUPERUSER;
  }

  /** The superuser's password when the cluster uses SCRAM; empty when it trusts local clients. */
  public Optional<String> superuserPassword() {
    return Optional.ofNullable(password);
  }

  /** The primary this replica was copied from; empty for a primary. */
  public Optional<LocalCluster> primary() {
    return Optional.ofNullable(primary);
  }

  /** The replicas made from this cluster that are not closed yet. */
  public List<LocalCluster> replicas() {
    return List.copyOf(replicas);
  }

  /** A new connection to {@code database} as the superuser. */
  public Connection connect(String database) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", SUPERUSER);
    if (password != null) {
      properties.setProperty("password", password);
    }
    properties.setProperty("connectTimeout", "10");
    return DriverManager.getConnection(jdbcUrl(database), properties);
  }

  /** Runs each statement in turn, in autocommit mode, as the superuser. */
  public void execute(String database, String... sql) throws SQLException {
    try (Connection connection = connect(database);
        Statement statement = connection.createStatement()) {
      for (String each : sql) {
        statement.execute(each);
      }
    }
  }

  /** Whether this cluster's server is running (its postmaster.pid names a live server). */
  public boolean isRunning() {
    return server.isRunning();
  }

  /**
   * The running server's pid, from postmaster.pid.
   *
   * @throws IllegalStateException when it is not running
   */
  public long postmasterPid() {
    return ClusterDirs.postmaster(server.dataDir())
        .map(ProcessHandle::pid)
        .orElseThrow(() -> new IllegalStateException(describe() + " is not running"));
  }

  /** Starts a stopped cluster again, on the same port. Does nothing when it runs. */
  public synchronized void start() {
    requireOpen();
    if (!isRunning()) {
      server.start();
    }
  }

  /** Stops the server the normal way ({@code pg_ctl stop -m fast}). Does nothing when stopped. */
  public synchronized void stop() {
    requireOpen();
    server.stop("fast");
  }

  /**
   * Stops the server the way a crash would ({@code pg_ctl stop -m immediate}): no shutdown
   * checkpoint, so the next start runs crash recovery. Does nothing when stopped.
   */
  public synchronized void stopImmediate() {
    requireOpen();
    server.stop("immediate");
  }

  /**
   * Makes a streaming replica of this running cluster, in its own directory under the same root, on
   * its own free port, and returns once this cluster's pg_stat_replication shows it streaming.
   * {@code name} becomes the replica's {@code cluster_name}, which is also the {@code
   * application_name} it shows in pg_stat_replication, so it must differ from this cluster's other
   * open replicas.
   */
  public synchronized LocalCluster createReplica(String name) {
    requireOpen();
    ServerSetup.requireName(name);
    if (!isRunning()) {
      throw new IllegalStateException(
          "expected " + describe() + " to be running to copy a replica from it, but it is stopped");
    }
    if (replicas.stream().anyMatch(replica -> replica.name().equals(name))) {
      throw new IllegalArgumentException(
          "expected a replica name not yet used by " + describe() + ", but '" + name + "' is");
    }
    LocalCluster replica = ServerSetup.newReplica(this, name);
    replicas.add(replica);
    log.info("Started replica '{}' of '{}' on {}:{}", name, name(), HOST, replica.port());
    return replica;
  }

  /**
   * Keeps this cluster after the JVM exits: no shutdown hook stops it and no later JVM reaps its
   * directory. It keeps running until someone stops it ({@code pg_ctl -D <dataDir> stop}) or calls
   * {@link #close()}.
   */
  public void keepAfterExit() {
    ClusterRegistry.keepAfterExit(this);
  }

  /**
   * Stops the server at once (its data is about to go) and deletes the cluster directory. Safe to
   * call twice and on a cluster whose server already died; never throws.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      server.stopNow();
    } catch (RuntimeException e) {
      log.warn("Could not stop {}: {}", describe(), e.toString());
    }
    if (!ClusterDirs.deleteTree(directory())) {
      log.warn("Could not delete {} of closed {}", directory(), describe());
    }
    ClusterRegistry.forget(this);
    if (primary != null) {
      primary.replicas.remove(this);
    }
    log.debug("Closed {}", describe());
  }

  PgServer server() {
    return server;
  }

  Path root() {
    return root;
  }

  @Override
  public String toString() {
    return describe();
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException(describe() + " is closed");
    }
  }

  private String describe() {
    return server.describe();
  }

  /**
   * Stops and deletes the clusters under {@code root} whose JVM is gone (the {@code owner.pid}
   * names a dead process). Returns how many directories were deleted. Directories without an owner
   * file are left alone.
   */
  public static int reapStale(Path root) {
    return ClusterRegistry.reapStale(root);
  }

  /**
   * PostgreSQL servers still running from a cluster directory under {@code root}, except those of
   * another JVM that is still alive (other test runs may share the root). A cluster this JVM still
   * has open counts: the suite's last test uses this to prove nothing was left behind.
   */
  public static List<ProcessHandle> runningStrays(Path root) {
    return ClusterRegistry.runningStrays(root);
  }

  /**
   * What this JVM left: its open clusters, and under every root it used (and the default root) the
   * servers and directories it owns. A server whose directory is gone counts too (only a failed
   * stop leaves one). Other JVMs' clusters, live or dead, do not: a dead JVM's are reaped by the
   * next JVM to use the root.
   */
  public static Leftovers leftovers() {
    return ClusterRegistry.leftovers();
  }

  /** What {@link #leftovers()} found. */
  public record Leftovers(
      List<String> openClusters, List<String> runningServers, List<Path> directories) {
    public Leftovers {
      openClusters = List.copyOf(openClusters);
      runningServers = List.copyOf(runningServers);
      directories = List.copyOf(directories);
    }

    public boolean isEmpty() {
      return openClusters.isEmpty() && runningServers.isEmpty() && directories.isEmpty();
    }
  }

  /** Collects a cluster's options; {@link #start()} makes and starts it. */
  public static final class Builder {
    private Path baseDir;
    private int port;
    private String password;
    private String name = "cluster";
    private PgBinaries binaries;
    private boolean keepWal = true;
    private final Map<String, String> settings = new LinkedHashMap<>();

    private Builder() {}

    /** The root to make the cluster's directory under; default {@link #defaultRoot()}. */
    public Builder baseDir(Path baseDir) {
      this.baseDir = Objects.requireNonNull(baseDir, "baseDir");
      return this;
    }

    /** The TCP port; 0 (the default) picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("expected a port in 0..65535, but got " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Requires SCRAM passwords over TCP (replication included), with this superuser password.
     * Default: TCP clients from 127.0.0.1 are trusted.
     */
    public Builder scram(String superuserPassword) {
      Objects.requireNonNull(superuserPassword, "superuserPassword");
      if (superuserPassword.isEmpty() || superuserPassword.contains("\n")) {
        throw new IllegalArgumentException("expected a non-empty, single-line password");
      }
      this.password = superuserPassword;
      return this;
    }

    /** A postgresql.conf setting, written after (so winning over) the defaults. */
    public Builder setting(String key, String value) {
      settings.put(ServerSetup.requireSettingName(key), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * PostgreSQL's default WAL retention (wal_keep_size 0, no slot, no archive): a checkpoint
     * recycles old WAL. Default 64MB, which hides code that needs old WAL (pg_rewind).
     */
    public Builder walDefaults() {
      this.keepWal = false;
      return this;
    }

    /** Names the cluster: its directory's prefix and its cluster_name. Default "cluster". */
    public Builder name(String name) {
      ServerSetup.requireName(name);
      this.name = name;
      return this;
    }

    /** The binaries to use; default {@link PgBinaries#require()}. */
    public Builder binaries(PgBinaries binaries) {
      this.binaries = Objects.requireNonNull(binaries, "binaries");
      return this;
    }

    /**
     * Makes the cluster (initdb), starts it and returns once it accepts connections.
     *
     * @throws MissingPostgresException when there are no PostgreSQL binaries
     * @throws PgToolsException when it cannot be made or started; the message carries the programs'
     *     output and the server log's last lines
     */
    public LocalCluster start() {
      PgBinaries bin = binaries != null ? binaries : PgBinaries.require();
      Path root = (baseDir != null ? baseDir : defaultRoot()).toAbsolutePath().normalize();
      LocalCluster cluster =
          ServerSetup.newPrimary(
              bin, root, name, password, port, keepWal, new LinkedHashMap<>(settings));
      log.info(
          "Started PostgreSQL {} cluster '{}' on {}:{} in {}",
          bin.majorVersion(),
          name,
          HOST,
          cluster.port(),
          cluster.directory());
      return cluster;
    }
  }
}
