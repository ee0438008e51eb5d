package dev.runbooks.testing;

import dev.runbooks.pgtools.Command;
import dev.runbooks.pgtools.MissingPostgresException;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.pgtools.PgToolsException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
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

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,39}");
  private static final Pattern SETTING_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");

  /** sun_path holds 108 bytes with its NUL; the socket's lock file name is the longest we need. */
  private static final int MAX_SOCKET_PATH = 107;

  private static final Duration INITDB_TIMEOUT = Duration.ofMinutes(2);
  private static final int PG_CTL_WAIT_SECONDS = 120;
  private static final Duration PG_CTL_TIMEOUT = Duration.ofSeconds(PG_CTL_WAIT_SECONDS + 30);
  private static final Duration BASEBACKUP_TIMEOUT = Duration.ofMinutes(30);
  private static final Duration STREAMING_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration EXIT_CLEANUP_TIMEOUT = Duration.ofSeconds(60);
  private static final int PORT_ATTEMPTS = 4;

  private static final Set<LocalCluster> OPEN = ConcurrentHashMap.newKeySet();
  private static final Set<Path> ROOTS_USED = ConcurrentHashMap.newKeySet();
  private static final Set<Path> ROOTS_REAPED = ConcurrentHashMap.newKeySet();
  private static final AtomicBoolean EXIT_HOOK = new AtomicBoolean();

  private final PgBinaries binaries;
  private final ServerUser user;
  private final String name;
  private final Path root;
  private final Path directory;
  private final Path dataDir;
  private final Path logFile;
  private final String password;
  private final boolean portPicked;
  private final LocalCluster primary;
  private final List<LocalCluster> replicas = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile int port;

  private LocalCluster(
      PgBinaries binaries,
      ServerUser user,
      String name,
      Path root,
      Path directory,
      String password,
      int port,
      LocalCluster primary) {
    this.binaries = binaries;
    this.user = user;
    this.name = name;
    this.root = root;
    this.directory = directory;
    this.dataDir = directory.resolve(ClusterDirs.DATA);
    this.logFile = directory.resolve("postgres.log");
    this.password = password;
    this.portPicked = port == 0;
    this.port = port == 0 ? freePort() : port;
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

  // ---- where it is and how to reach it

  /**
   * The name given at build time, also its {@code cluster_name} and, for a replica, its {@code
   * application_name}.
   */
  public String name() {
    return name;
  }

  public String host() {
    return HOST;
  }

  public int port() {
    return port;
  }

  /**
   * The cluster's own directory: {@code owner.pid}, {@code postgres.log} and the data directory.
   */
  public Path directory() {
    return directory;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The server's log file (pg_ctl -l). */
  public Path logFile() {
    return logFile;
  }

  /** The binaries this cluster runs on; use its pg_dump and pg_restore for matching versions. */
  public PgBinaries binaries() {
    return binaries;
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}, without user or password. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + HOST + ":" + port + "/" + database;
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

  // ---- life cycle

  /** Whether this cluster's server is running (its postmaster.pid names a live server). */
  public boolean isRunning() {
    return ClusterDirs.postmaster(dataDir).isPresent();
  }

  /**
   * The running server's pid, from postmaster.pid.
   *
   * @throws IllegalStateException when it is not running
   */
  public long postmasterPid() {
    return ClusterDirs.postmaster(dataDir)
        .map(ProcessHandle::pid)
        .orElseThrow(() -> new IllegalStateException(describe() + " is not running"));
  }

  /** Starts a stopped cluster again, on the same port. Does nothing when it runs. */
  public synchronized void start() {
    requireOpen();
    if (!isRunning()) {
      startServer();
    }
  }

  /** Stops the server the normal way ({@code pg_ctl stop -m fast}). Does nothing when stopped. */
  public synchronized void stop() {
    requireOpen();
    stopServer("fast");
  }

  /**
   * Stops the server the way a crash would ({@code pg_ctl stop -m immediate}): no shutdown
   * checkpoint, so the next start runs crash recovery. Does nothing when stopped.
   */
  public synchronized void stopImmediate() {
    requireOpen();
    stopServer("immediate");
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
    requireName(name);
    if (!isRunning()) {
      throw new IllegalStateException(
          "expected " + describe() + " to be running to copy a replica from it, but it is stopped");
    }
    if (replicas.stream().anyMatch(replica -> replica.name.equals(name))) {
      throw new IllegalArgumentException(
          "expected a replica name not yet used by " + describe() + ", but '" + name + "' is");
    }
    Path replicaDir = newClusterDirectory(root, name, user);
    LocalCluster replica =
        new LocalCluster(binaries, user, name, root, replicaDir, password, 0, this);
    register(replica);
    try {
      List<String> argv =
          List.of(
              binaries.bin("pg_basebackup").toString(),
              "-h",
              HOST,
              "-p",
              Integer.toString(port),
              "-U",
              SUPERUSER,
              "-w",
              "-D",
              replica.dataDir.toString(),
              "-R",
              "-X",
              "stream",
              "-c",
              "fast",
              "--no-sync");
      // -R writes the connection it used into primary_conninfo, password included: the replica
      // authenticates with SCRAM like any client. The password travels in the environment only.
      Map<String, String> env = password == null ? Map.of() : Map.of("PGPASSWORD", password);
      Command.of(user.wrap(argv), replicaDir, env)
          .runChecked(BASEBACKUP_TIMEOUT, "copying " + describe() + " into replica '" + name + "'");
      if (password != null) {
        ReplicaPassfile.write(replicaDir, replica.dataDir, password, user, HOST, port);
      }
      Map<String, String> own = new LinkedHashMap<>();
      own.put("port", Integer.toString(replica.port));
      own.put("unix_socket_directories", socketDirectory(replicaDir));
      own.put("cluster_name", name);
      replica.appendSettings("this replica's own settings", own);
      replica.startServer();
      waitUntilStreaming(replica);
      replicas.add(replica);
      log.info("Started replica '{}' of '{}' on {}:{}", name, this.name, HOST, replica.port);
      return replica;
    } catch (RuntimeException e) {
      replica.close();
      throw e;
    }
  }

  /**
   * Keeps this cluster after the JVM exits: no shutdown hook stops it and no later JVM reaps its
   * directory. It keeps running until someone stops it ({@code pg_ctl -D <dataDir> stop}) or calls
   * {@link #close()}.
   */
  public void keepAfterExit() {
    OPEN.remove(this);
    try {
      Files.deleteIfExists(directory.resolve(ClusterDirs.OWNER_FILE));
    } catch (IOException e) {
      throw new PgToolsException(
          "could not remove " + directory.resolve(ClusterDirs.OWNER_FILE) + ": " + e.getMessage(),
          e);
    }
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
      ClusterDirs.postmaster(dataDir)
          .ifPresent(
              postmaster ->
                  ClusterDirs.stopImmediately(dataDir, postmaster, Optional.of(binaries), user));
    } catch (RuntimeException e) {
      log.warn("Could not stop {}: {}", describe(), e.toString());
    }
    if (!ClusterDirs.deleteTree(directory)) {
      log.warn("Could not delete {} of closed {}", directory, describe());
    }
    OPEN.remove(this);
    if (primary != null) {
      primary.replicas.remove(this);
    }
    log.debug("Closed {}", describe());
  }

  @Override
  public String toString() {
    return describe();
  }

  private String describe() {
    return (primary == null ? "PostgreSQL cluster '" : "PostgreSQL replica '")
        + name
        + "' ("
        + HOST
        + ":"
        + port
        + ", "
        + directory
        + ")";
  }

  // ---- leftovers

  /**
   * Stops and deletes the clusters under {@code root} whose JVM is gone (the {@code owner.pid}
   * names a dead process). Returns how many directories were deleted. Directories without an owner
   * file are left alone.
   */
  public static int reapStale(Path root) {
    Path normalized = root.toAbsolutePath().normalize();
    Optional<PgBinaries> binaries = PgBinaries.find();
    int reaped = 0;
    for (Path dir : ClusterDirs.children(normalized)) {
      if (ClusterDirs.ownerIsGone(dir) && ClusterDirs.reap(dir, binaries, ServerUser.current())) {
        reaped++;
      }
    }
    return reaped;
  }

  /**
   * PostgreSQL servers still running from a cluster directory under {@code root}, except those of
   * another JVM that is still alive (other test runs may share the root). A cluster this JVM still
   * has open counts: the suite's last test uses this to prove nothing was left behind.
   */
  public static List<ProcessHandle> runningStrays(Path root) {
    Path normalized = root.toAbsolutePath().normalize();
    return ClusterDirs.serversUnder(normalized).stream()
        .filter(running -> !ownedByAnotherLiveJvm(running.clusterDir()))
        .map(ClusterDirs.Running::process)
        .collect(Collectors.toList());
  }

  /**
   * What this JVM left: its open clusters, and under every root it used (and the default root) the
   * servers and directories it owns. A server whose directory is gone counts too (only a failed
   * stop leaves one). Other JVMs' clusters, live or dead, do not: a dead JVM's are reaped by the
   * next JVM to use the root.
   */
  public static Leftovers leftovers() {
    Set<Path> roots = new TreeSet<>(ROOTS_USED);
    roots.add(defaultRoot());
    List<String> open =
        OPEN.stream().map(LocalCluster::describe).sorted().collect(Collectors.toList());
    List<String> processes = new ArrayList<>();
    List<Path> directories = new ArrayList<>();
    for (Path root : roots) {
      for (ClusterDirs.Running running : ClusterDirs.serversUnder(root)) {
        Path dir = running.clusterDir();
        if (!Files.exists(dir) || ClusterDirs.ownedByThisJvm(dir)) {
          ProcessHandle process = running.process();
          processes.add(process.pid() + " " + process.info().commandLine().orElse("postgres"));
        }
      }
      ClusterDirs.children(root).stream()
          .filter(ClusterDirs::ownedByThisJvm)
          .forEach(directories::add);
    }
    return new Leftovers(open, processes, directories);
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

  private static boolean ownedByAnotherLiveJvm(Path clusterDir) {
    return Files.exists(clusterDir.resolve(ClusterDirs.OWNER_FILE))
        && !ClusterDirs.ownedByThisJvm(clusterDir)
        && !ClusterDirs.ownerIsGone(clusterDir);
  }

  // ---- making and running

  private void initdb(Map<String, String> extraSettings) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                binaries.bin("initdb").toString(),
                "-D",
                dataDir.toString(),
                "-U",
                SUPERUSER,
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
        user.own(pwfile);
        argv.addAll(
            List.of("--auth-host=scram-sha-256", "--auth-local=trust", "--pwfile=" + pwfile));
      }
      Command.of(user.wrap(argv), directory, Map.of())
          .runChecked(INITDB_TIMEOUT, "initdb of " + describe());
    } catch (IOException e) {
      throw new PgToolsException("could not write " + pwfile + ": " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(pwfile);
      } catch (IOException e) {
        log.warn("Could not delete the initdb password file {}: {}", pwfile, e.toString());
      }
    }
    writeHba();
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("port", Integer.toString(port));
    settings.put("listen_addresses", HOST);
    settings.put("unix_socket_directories", socketDirectory(directory));
    settings.put("cluster_name", name);
    settings.put("fsync", "off");
    settings.put("wal_level", "replica");
    settings.put("max_wal_senders", "10");
    settings.put("hot_standby", "on");
    // A replica made or restarted a little later still finds the WAL it needs.
    settings.put("wal_keep_size", "64MB");
    if (password != null) {
      settings.put("password_encryption", "scram-sha-256");
    }
    appendSettings("throwaway cluster settings", settings);
    if (!extraSettings.isEmpty()) {
      appendSettings("settings asked for", extraSettings);
    }
  }

  /** Local socket trusted; TCP from 127.0.0.1 trusted or SCRAM, replication included. */
  private void writeHba() {
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
          dataDir.resolve("pg_hba.conf"),
          hba,
          StandardCharsets.UTF_8,
          StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new PgToolsException("could not write pg_hba.conf of " + describe(), e);
    }
  }

  /** Appends settings to postgresql.conf; a later line wins over an earlier one. */
  private void appendSettings(String comment, Map<String, String> settings) {
    StringBuilder text = new StringBuilder("\n# runbooks: ").append(comment).append('\n');
    settings.forEach(
        (key, value) ->
            text.append(key)
                .append(" = '")
                .append(value.replace("\\", "\\\\").replace("'", "''"))
                .append("'\n"));
    try {
      Files.writeString(
          dataDir.resolve("postgresql.conf"),
          text.toString(),
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new PgToolsException("could not write postgresql.conf of " + describe(), e);
    }
  }

  private void startServer() {
    for (int attempt = 1; ; attempt++) {
      long logOffset = fileSize(logFile);
      Command.Result result =
          Command.of(
                  user.wrap(
                      List.of(
                          binaries.bin("pg_ctl").toString(),
                          "-D",
                          dataDir.toString(),
                          "-l",
                          logFile.toString(),
                          "-w",
                          "-t",
                          Integer.toString(PG_CTL_WAIT_SECONDS),
                          "start")),
                  directory,
                  Map.of())
              .run(PG_CTL_TIMEOUT);
      if (result.exitCode() == 0) {
        return;
      }
      String serverLog = readFrom(logFile, logOffset);
      if (portPicked && attempt < PORT_ATTEMPTS && serverLog.contains("Address already in use")) {
        // Someone took the free port between our check and the server's bind: pick another.
        int taken = port;
        port = freePort();
        log.debug("Port {} was taken before '{}' could bind it; trying {}", taken, name, port);
        appendSettings("port retry", Map.of("port", Integer.toString(port)));
        continue;
      }
      throw new PgToolsException(
          "expected "
              + describe()
              + " to start, but pg_ctl exited with "
              + result.exitCode()
              + ":\n"
              + Command.tail(result.output(), 10)
              + "\nlast lines of the server log "
              + logFile
              + ":\n"
              + Command.tail(serverLog, 20));
    }
  }

  private void stopServer(String mode) {
    if (!isRunning()) {
      return;
    }
    Command.Result result =
        Command.of(
                user.wrap(
                    List.of(
                        binaries.bin("pg_ctl").toString(),
                        "-D",
                        dataDir.toString(),
                        "-m",
                        mode,
                        "-w",
                        "-t",
                        Integer.toString(PG_CTL_WAIT_SECONDS),
                        "stop")),
                directory,
                Map.of())
            .run(PG_CTL_TIMEOUT);
    if (result.exitCode() != 0 && isRunning()) {
      throw new PgToolsException(
          "expected "
              + describe()
              + " to stop (pg_ctl stop -m "
              + mode
              + "), but pg_ctl exited with "
              + result.exitCode()
              + ":\n"
              + Command.tail(result.output(), 10)
              + "\nlast lines of the server log:\n"
              + Command.tail(readFrom(logFile, Math.max(0, fileSize(logFile) - 4096)), 20));
    }
  }

  private void waitUntilStreaming(LocalCluster replica) {
    long deadline = System.nanoTime() + STREAMING_TIMEOUT.toNanos();
    String seen = "no row";
    try (Connection connection = connect("postgres");
        PreparedStatement query =
            connection.prepareStatement(
                "select state from pg_stat_replication where application_name = ?")) {
      query.setString(1, replica.name);
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
            + describe()
            + " within "
            + STREAMING_TIMEOUT.toSeconds()
            + " s, but pg_stat_replication shows: "
            + seen
            + (replica.isRunning() ? "" : " and the replica's server is not running")
            + "\nlast lines of the replica's log:\n"
            + Command.tail(readFrom(replica.logFile, 0), 20));
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException(describe() + " is closed");
    }
  }

  // ---- registry and directories

  private static void register(LocalCluster cluster) {
    if (EXIT_HOOK.compareAndSet(false, true)) {
      Runtime.getRuntime()
          .addShutdownHook(new Thread(LocalCluster::closeAllAtExit, "runbooks-pg-cleanup"));
    }
    OPEN.add(cluster);
  }

  /** The shutdown hook: stops every open cluster at once, in parallel, and deletes them. */
  private static void closeAllAtExit() {
    List<Thread> closers = new ArrayList<>();
    for (LocalCluster cluster : List.copyOf(OPEN)) {
      Thread closer = new Thread(cluster::close, "runbooks-pg-close-" + cluster.name);
      closer.start();
      closers.add(closer);
    }
    long deadline = System.nanoTime() + EXIT_CLEANUP_TIMEOUT.toNanos();
    for (Thread closer : closers) {
      try {
        closer.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void prepareRoot(Path root, ServerUser user) {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new PgToolsException(
          "expected to create the directory for throwaway clusters "
              + root
              + ", but: "
              + e
              + ". Choose another base directory or java.io.tmpdir.",
          e);
    }
    user.ensureReachable(root);
    ROOTS_USED.add(root);
    if (ROOTS_REAPED.add(root)) {
      int reaped = reapStale(root);
      if (reaped > 0) {
        log.info(
            "Removed {} throwaway cluster(s) under {} left by JVMs that are gone", reaped, root);
      }
    }
  }

  private static Path newClusterDirectory(Path root, String name, ServerUser user) {
    try {
      // createTempDirectory makes it 0700; the owner file goes in before anyone could reap it.
      Path dir = Files.createTempDirectory(root, name + "-");
      ClusterDirs.writeOwner(dir);
      user.own(dir);
      return dir;
    } catch (IOException e) {
      throw new PgToolsException(
          "expected to create a cluster directory under " + root + ", but: " + e, e);
    }
  }

  /** The cluster directory as socket directory, or none (TCP only) when its path is too long. */
  private static String socketDirectory(Path directory) {
    String socketLock = directory + "/.s.PGSQL.65535.lock";
    return socketLock.getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH
        ? directory.toString()
        : "";
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new PgToolsException("could not find a free TCP port on " + HOST + ": " + e, e);
    }
  }

  private static long fileSize(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  private static String readFrom(Path file, long offset) {
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      long from = Math.min(offset, length);
      byte[] bytes = new byte[(int) Math.min(length - from, 1 << 20)];
      in.seek(length - bytes.length);
      in.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static boolean isLinux() {
    return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
  }

  private static void requireName(String name) {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "expected a cluster name of letters, digits, '-' and '_' (at most 40, starting with a"
              + " letter or digit), but got '"
              + name
              + "'");
    }
  }

  /** Collects a cluster's options; {@link #start()} makes and starts it. */
  public static final class Builder {
    private Path baseDir;
    private int port;
    private String password;
    private String name = "cluster";
    private PgBinaries binaries;
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
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
      if (!SETTING_NAME.matcher(key).matches()) {
        throw new IllegalArgumentException(
            "expected a PostgreSQL setting name, but got '" + key + "'");
      }
      settings.put(key, value);
      return this;
    }

    /** Names the cluster: its directory's prefix and its cluster_name. Default "cluster". */
    public Builder name(String name) {
      requireName(name);
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
      ServerUser user = ServerUser.current();
      prepareRoot(root, user);
      Path directory = newClusterDirectory(root, name, user);
      LocalCluster cluster =
          new LocalCluster(bin, user, name, root, directory, password, port, null);
      register(cluster);
      try {
        cluster.initdb(new LinkedHashMap<>(settings));
        cluster.startServer();
      } catch (RuntimeException e) {
        cluster.close();
        throw e;
      }
      log.info(
          "Started PostgreSQL {} cluster '{}' on {}:{} in {}",
          bin.majorVersion(),
          name,
          HOST,
          cluster.port,
          directory);
      return cluster;
    }
  }
}
