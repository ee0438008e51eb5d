package dev.runbooks.testing;

import dev.runbooks.pgtools.Command;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cluster directory's server as pg_ctl runs it: its files (data directory, log), its port, and
 * starting and stopping it. A port picked here that someone else binds first is replaced by another
 * free one on start.
 */
final class PgServer {
  private static final Logger log = LoggerFactory.getLogger(PgServer.class);

  private static final int PG_CTL_WAIT_SECONDS = 120;
  private static final Duration PG_CTL_TIMEOUT = Duration.ofSeconds(PG_CTL_WAIT_SECONDS + 30);
  private static final int PORT_ATTEMPTS = 4;

  private final PgBinaries binaries;
  private final ServerUser user;
  private final String name;
  private final boolean replica;
  private final Path directory;
  private final Path dataDir;
  private final Path logFile;
  private final boolean portPicked;
  private volatile int port;

  /** {@code port} 0 picks a free one. */
  PgServer(
      PgBinaries binaries,
      ServerUser user,
      String name,
      boolean replica,
      Path directory,
      int port) {
    this.binaries = binaries;
    this.user = user;
    this.name = name;
    this.replica = replica;
    this.directory = directory;
    this.dataDir = directory.resolve(ClusterDirs.DATA);
    this.logFile = directory.resolve("postgres.log");
    this.portPicked = port == 0;
    this.port = port == 0 ? freePort() : port;
  }

  PgBinaries binaries() {
    return binaries;
  }

  ServerUser user() {
    return user;
  }

  String name() {
    return name;
  }

  Path directory() {
    return directory;
  }

  Path dataDir() {
    return dataDir;
  }

  Path logFile() {
    return logFile;
  }

  int port() {
    return port;
  }

  /** Whether its postmaster.pid names a live server. */
  boolean isRunning() {
    return ClusterDirs.postmaster(dataDir).isPresent();
  }

  /** Starts it with {@code pg_ctl start -w}; retries on another port when its own was taken. */
  void start() {
    for (int attempt = 1; ; attempt++) {
      long logOffset = fileSize(logFile);
      Command.Result result =
          pgCtl(List.of("-l", logFile.toString(), "-w", "-t", waitSeconds(), "start"));
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

  /** Stops it with {@code pg_ctl stop -m <mode>}; does nothing when it is not running. */
  void stop(String mode) {
    if (!isRunning()) {
      return;
    }
    Command.Result result = pgCtl(List.of("-m", mode, "-w", "-t", waitSeconds(), "stop"));
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

  /** Stops a running server at once, as closing does (its data is about to go). */
  void stopNow() {
    ClusterDirs.postmaster(dataDir)
        .ifPresent(
            postmaster ->
                ClusterDirs.stopImmediately(dataDir, postmaster, Optional.of(binaries), user));
  }

  /** Appends settings to postgresql.conf; a later line wins over an earlier one. */
  void appendSettings(String comment, Map<String, String> settings) {
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

  /** The last {@code lines} lines of the whole server log. */
  String logTail(int lines) {
    return Command.tail(readFrom(logFile, 0), lines);
  }

  String describe() {
    return (replica ? "PostgreSQL replica '" : "PostgreSQL cluster '")
        + name
        + "' ("
        + LocalCluster.HOST
        + ":"
        + port
        + ", "
        + directory
        + ")";
  }

  private Command.Result pgCtl(List<String> args) {
    List<String> argv =
        new ArrayList<>(List.of(binaries.bin("pg_ctl").toString(), "-D", dataDir.toString()));
    argv.addAll(args);
    return Command.of(user.wrap(argv), directory, Map.of()).run(PG_CTL_TIMEOUT);
  }

  private static String waitSeconds() {
    return Integer.toString(PG_CTL_WAIT_SECONDS);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LocalCluster.HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new PgToolsException(
          "could not find a free TCP port on " + LocalCluster.HOST + ": " + e, e);
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
}
