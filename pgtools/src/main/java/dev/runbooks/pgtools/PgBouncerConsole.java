package dev.runbooks.pgtools;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * PgBouncer's admin console ({@code PAUSE}, {@code RELOAD}, {@code RESUME}, {@code SHOW ...}),
 * through psql. Not JDBC: the console reports PgBouncer's own version, so pgJDBC takes it for an
 * old server and sends {@code SET extra_float_digits}, which the console refuses ("SET failed").
 * The password goes to psql in {@code PGPASSWORD}, never on its command line.
 */
public final class PgBouncerConsole {
  private static final char SEPARATOR = '\u001f';

  private final Path psql;
  private final String host;
  private final int port;
  private final String user;
  private final String password;
  private final Duration timeout;

  /**
   * @param password null for a console that needs none (trust or peer)
   * @param timeout how long one command may take, connecting included
   */
  public PgBouncerConsole(
      Path psql, String host, int port, String user, String password, Duration timeout) {
    this.psql = Objects.requireNonNull(psql, "psql");
    this.host = Objects.requireNonNull(host, "host");
    this.port = port;
    this.user = Objects.requireNonNull(user, "user");
    this.password = password;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /** {@code host:port}, for messages. */
  public String address() {
    return host + ":" + port;
  }

  /** What psql printed, and whether the console accepted the command. */
  public record Reply(boolean ok, List<List<String>> rows, String error) {
    public Reply {
      rows = List.copyOf(rows);
    }
  }

  /**
   * Runs one console command. A refused command (ERROR) is a reply that is not ok; a console that
   * cannot be reached, or a psql that hangs past the timeout, is a {@link PgToolsException}.
   */
  public Reply run(String command) {
    return run(command, "-t");
  }

  /** A {@code SHOW} command's rows, each by column name; {@code error} says why it was refused. */
  public record Table(List<Map<String, String>> rows, String error) {
    public Table {
      rows = List.copyOf(rows);
    }

    public boolean ok() {
      return error.isEmpty();
    }
  }

  /**
   * Runs a {@code SHOW} command and names each row's values by the columns this PgBouncer version
   * reports (they differ between versions). A console that cannot be reached is a {@link
   * PgToolsException}.
   */
  public Table show(String command) {
    Reply reply = run(command, "--pset=footer=off");
    if (!reply.ok() || reply.rows().isEmpty()) {
      return new Table(List.of(), reply.error());
    }
    List<String> header = reply.rows().get(0);
    List<Map<String, String>> rows = new ArrayList<>();
    for (List<String> row : reply.rows().subList(1, reply.rows().size())) {
      Map<String, String> named = new LinkedHashMap<>();
      for (int i = 0; i < header.size() && i < row.size(); i++) {
        named.put(header.get(i), row.get(i));
      }
      rows.add(named);
    }
    return new Table(rows, "");
  }

  /**
   * @param shape {@code -t} for rows only, or a {@code --pset} that keeps the header
   */
  private Reply run(String command, String shape) {
    List<String> argv =
        List.of(
            psql.toString(),
            "-X",
            "-q",
            "-A",
            shape,
            "-F",
            String.valueOf(SEPARATOR),
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            host,
            "-p",
            Integer.toString(port),
            "-U",
            user,
            "-d",
            "pgbouncer",
            "-c",
            command);
    Map<String, String> env =
        password == null
            ? Map.of("PGCONNECT_TIMEOUT", connectTimeout())
            : Map.of("PGCONNECT_TIMEOUT", connectTimeout(), "PGPASSWORD", password);
    Command.Result result = Command.of(argv, null, env).run(timeout);
    String output = result.output().strip();
    if (result.exitCode() == 0) {
      List<List<String>> rows = new ArrayList<>();
      for (String line : output.split("\\R")) {
        if (!line.isEmpty()) {
          rows.add(List.of(line.split(String.valueOf(SEPARATOR), -1)));
        }
      }
      return new Reply(true, rows, "");
    }
    // psql: 1 or 3 for a command the server refused, 2 for a connection that failed.
    if (result.exitCode() == 1 || result.exitCode() == 3) {
      return new Reply(false, List.of(), Command.tail(output, 3));
    }
    throw new PgToolsException(
        "expected PgBouncer's admin console at "
            + address()
            + " (user "
            + user
            + ") to answer "
            + command
            + ", but it did not: "
            + Command.tail(output, 3));
  }

  private String connectTimeout() {
    return Long.toString(Math.max(2, Math.min(10, timeout.toSeconds() / 2)));
  }
}
