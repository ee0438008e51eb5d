package dev.runbooks.testing;

import dev.runbooks.pgtools.Command;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.pgtools.PgBouncerConsole;
import dev.runbooks.pgtools.PgToolsException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway PgBouncer (the Debian package {@code pgbouncer}) in front of throwaway clusters, in
 * its own directory (ini, auth file, log, pid file), listening on 127.0.0.1 on a free port, with an
 * admin user for its console ({@code PAUSE}, {@code RELOAD}, {@code RESUME}). Transaction pooling:
 * {@code PAUSE} then waits for transactions, not for clients to leave. Closing it stops it and
 * deletes the directory. As root it runs as the OS user {@code postgres}, as the clusters do.
 */
public final class LocalPgBouncer implements AutoCloseable {
  public static final String ADMIN_USER = "pgbouncer";

  private static final Logger log = LoggerFactory.getLogger(LocalPgBouncer.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final int PORT_ATTEMPTS = 5;

  private final Path program;
  private final Path dir;
  private final String adminPassword;
  private final Map<String, String> databases;
  private final Map<String, String> users;
  private final boolean trust;
  private final ServerUser user = ServerUser.current();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread shutdownHook = new Thread(this::stopQuietly, "pgbouncer-shutdown");
  private int port;

  private LocalPgBouncer(Builder b) throws IOException {
    this.program = program();
    this.adminPassword = b.adminPassword;
    this.databases = Map.copyOf(b.databases);
    this.users = Map.copyOf(b.users);
    this.trust = b.trust;
    Path root = LocalCluster.defaultRoot().resolveSibling("runbooks-pgbouncer");
    Files.createDirectories(root);
    user.ensureReachable(root);
    this.dir = Files.createTempDirectory(root, b.name + "-");
    user.own(dir);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The pgbouncer program: on PATH, or where the Debian package puts it. */
  public static Path program() {
    List<Path> candidates = new ArrayList<>();
    for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!p.isEmpty()) {
        candidates.add(Path.of(p, "pgbouncer"));
      }
    }
    candidates.add(Path.of("/usr/sbin/pgbouncer"));
    candidates.add(Path.of("/usr/bin/pgbouncer"));
    return program(candidates);
  }

  static Path program(List<Path> candidates) {
    return candidates.stream()
        .filter(Files::isExecutable)
        .findFirst()
        .orElseThrow(
            () ->
                new MissingPgBouncerException(
                    "expected the pgbouncer program on PATH or at /usr/sbin/pgbouncer, but there"
                        + " is none. Install the Debian package: apt-get install -y"
                        + " --no-install-recommends pgbouncer (its packaged service need not"
                        + " run; the tests start their own)."));
  }

  public String host() {
    return LocalCluster.HOST;
  }

  public int port() {
    return port;
  }

  public String adminPassword() {
    return adminPassword;
  }

  /** The ini file PgBouncer reads on start and on {@code RELOAD}. */
  public Path iniFile() {
    return dir.resolve("pgbouncer.ini");
  }

  public Path logFile() {
    return dir.resolve("pgbouncer.log");
  }

  /** A client's URL through the pooler (simple protocol: no prepared statements to lose). */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host() + ":" + port + "/" + database + "?preferQueryMode=simple";
  }

  /** Its admin console, as the admin user. */
  public PgBouncerConsole console() {
    return new PgBouncerConsole(
        PgBinaries.require().bin("psql"), host(), port, ADMIN_USER, adminPassword, START_TIMEOUT);
  }

  /** Runs an admin console command, failing when the console refuses it. */
  public List<List<String>> admin(String command) {
    PgBouncerConsole.Reply reply = console().run(command);
    if (!reply.ok()) {
      throw new PgToolsException("PgBouncer refused " + command + ": " + reply.error());
    }
    return reply.rows();
  }

  /** {@code SHOW DATABASES}: each database's {@code host:port}, by name. */
  public Map<String, String> databases() {
    Map<String, String> found = new LinkedHashMap<>();
    for (List<String> row : admin("SHOW DATABASES")) {
      if (!"pgbouncer".equals(row.get(0))) {
        found.put(row.get(0), row.get(1) + ":" + row.get(2));
      }
    }
    return found;
  }

  public boolean isRunning() {
    return pid().flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Kills it at once (SIGKILL), as a crash would: clients lose their connections. */
  public void kill() {
    pid().flatMap(ProcessHandle::of).ifPresent(this::killAndWait);
  }

  /** Starts it again on the same port with the ini file as it is now (after a kill). */
  public void restart() {
    kill();
    if (!launch()) {
      throw new PgToolsException(
          "expected PgBouncer to start again on "
              + host()
              + ":"
              + port
              + "; last lines of its log:\n"
              + Command.tail(readLog(), 20));
    }
  }

  private void killAndWait(ProcessHandle process) {
    process.destroyForcibly();
    process.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
  }

  private Optional<Long> pid() {
    try {
      return Optional.of(
          Long.parseLong(
              Files.readString(dir.resolve("pgbouncer.pid"), StandardCharsets.UTF_8).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private void writeFiles() throws IOException {
    StringBuilder ini = new StringBuilder("[databases]\n");
    databases.forEach((name, conn) -> ini.append(name).append(" = ").append(conn).append('\n'));
    ini.append("\n[pgbouncer]\n")
        .append("listen_addr = ")
        .append(LocalCluster.HOST)
        .append("\nlisten_port = ")
        .append(port)
        .append("\nunix_socket_dir =\n")
        .append("auth_type = ")
        .append(trust ? "trust" : "scram-sha-256")
        .append('\n')
        .append("auth_file = ")
        .append(dir.resolve("userlist.txt"))
        .append("\nadmin_users = ")
        .append(ADMIN_USER)
        .append("\npool_mode = transaction\n")
        .append("max_client_conn = 200\ndefault_pool_size = 20\n")
        // pgJDBC sends extra_float_digits at startup; PgBouncer refuses unknown ones otherwise.
        .append("ignore_startup_parameters = extra_float_digits\n")
        .append("logfile = ")
        .append(logFile())
        .append("\npidfile = ")
        .append(dir.resolve("pgbouncer.pid"))
        .append('\n');
    StringBuilder auth = new StringBuilder();
    Map<String, String> all = new LinkedHashMap<>(users);
    all.put(ADMIN_USER, adminPassword);
    all.forEach((u, pw) -> auth.append(quote(u)).append(' ').append(quote(pw)).append('\n'));
    Files.writeString(iniFile(), ini, StandardCharsets.UTF_8);
    Path userlist = dir.resolve("userlist.txt");
    Files.writeString(userlist, auth, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(userlist, PosixFilePermissions.fromString("rw-------"));
    user.own(iniFile());
    user.own(userlist);
  }

  private static String quote(String s) {
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  private LocalPgBouncer start() {
    for (int attempt = 1; ; attempt++) {
      port = freePort();
      try {
        writeFiles();
      } catch (IOException e) {
        throw new PgToolsException("could not write PgBouncer's files in " + dir + ": " + e, e);
      }
      if (launch()) {
        log.debug("PgBouncer up on {}:{} ({})", host(), port, dir);
        return this;
      }
      if (attempt < PORT_ATTEMPTS && readLog().contains("Address already in use")) {
        continue; // someone took the free port before PgBouncer bound it
      }
      throw new PgToolsException(
          "expected PgBouncer ("
              + program
              + " -d "
              + iniFile()
              + ") to listen on "
              + host()
              + ":"
              + port
              + ", but it did not; last lines of its log:\n"
              + Command.tail(readLog(), 20));
    }
  }

  /** Runs {@code pgbouncer -d} (it forks and writes its pid file) and waits for its port. */
  private boolean launch() {
    Command.Result result =
        Command.of(
                user.wrap(List.of(program.toString(), "-d", iniFile().toString())), dir, Map.of())
            .run(START_TIMEOUT);
    if (result.exitCode() != 0) {
      log.warn(
          "pgbouncer -d exited with {}: {}", result.exitCode(), Command.tail(result.output(), 5));
      return false;
    }
    return awaitListening();
  }

  private boolean awaitListening() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host(), port), 1000);
        return true;
      } catch (IOException e) {
        if (!isRunning() && readLog().contains("Address already in use")) {
          return false;
        }
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  private String readLog() {
    try {
      return Files.readString(logFile(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LocalCluster.HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new PgToolsException("could not find a free TCP port on 127.0.0.1: " + e, e);
    }
  }

  private void stopQuietly() {
    pid()
        .flatMap(ProcessHandle::of)
        .ifPresent(
            p -> {
              p.destroy();
              try {
                p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
              } catch (Exception e) {
                p.destroyForcibly();
              }
            });
  }

  /** Stops it (SIGTERM, then SIGKILL after 10 s) and deletes its directory. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stopQuietly();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs anyway
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      log.warn("could not delete {}: {}", dir, e.getMessage());
    }
  }

  /** What the pooler serves and who may log in through it. */
  public static final class Builder {
    private String name = "pgbouncer";
    private String adminPassword = "pgbouncer-admin-" + Long.toHexString(System.nanoTime());
    private final Map<String, String> databases = new LinkedHashMap<>();
    private final Map<String, String> users = new LinkedHashMap<>();
    private boolean trust;

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * No passwords asked of its clients and its admin (auth_type trust), for clusters that trust
     * 127.0.0.1 too; the users listed are still the only ones let in.
     */
    public Builder trust() {
      this.trust = true;
      return this;
    }

    public Builder adminPassword(String password) {
      this.adminPassword = password;
      return this;
    }

    /** Serves {@code database} of {@code cluster} under the same name. */
    public Builder database(String database, LocalCluster cluster) {
      databases.put(
          database, "host=" + cluster.host() + " port=" + cluster.port() + " dbname=" + database);
      return this;
    }

    /** A client role and its password (also the one PgBouncer logs in to the server with). */
    public Builder user(String name, String password) {
      users.put(name, password);
      return this;
    }

    public LocalPgBouncer start() {
      LocalPgBouncer bouncer;
      try {
        bouncer = new LocalPgBouncer(this);
      } catch (IOException e) {
        throw new PgToolsException("could not make a directory for PgBouncer: " + e, e);
      }
      Runtime.getRuntime().addShutdownHook(bouncer.shutdownHook);
      try {
        return bouncer.start();
      } catch (RuntimeException e) {
        bouncer.close();
        throw e;
      }
    }
  }
}
