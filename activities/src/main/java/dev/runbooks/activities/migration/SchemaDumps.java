package dev.runbooks.activities.migration;

import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.PgTool;
import dev.runbooks.activities.postgres.SessionSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The schema comparison the runbook proves rollbacks with, and the tests check them with: {@code
 * pg_dump --schema-only} without owners, privileges and the schema history table, normalised (no
 * comments, blank lines, session settings or {@code \restrict} keys), compared statement by
 * statement. The text can be large: it is kept in files on the worker, and only its hash travels in
 * workflow payloads.
 */
public final class SchemaDumps {
  /** A comparison lists at most this many differences, then how many more. */
  static final int MAX_DIFFERENCES = 40;

  /** A snapshot no run came back for in this long is removed. */
  static final Duration KEPT_FOR = Duration.ofDays(7);

  private static final String SNAPSHOTS = "schema-snapshots";

  private final PgTool tools;
  private final Path store;

  /**
   * @param store where snapshot texts are kept between activities of one run
   */
  public SchemaDumps(PgTool tools, Path store) {
    this.tools = tools;
    this.store = store;
  }

  /** A normalised schema: its statements in pg_dump's order and their hash. */
  public record Schema(List<String> statements, String sha256) {
    public Schema {
      statements = List.copyOf(statements);
    }

    public String text() {
      return String.join(";\n", statements) + (statements.isEmpty() ? "" : ";\n");
    }
  }

  /** Dumps {@code spec}'s database's schema and normalises it, with no session options. */
  public Schema dump(ConnectionSpec spec) throws IOException {
    return dump(spec, null);
  }

  /**
   * Dumps {@code spec}'s database's schema and normalises it.
   *
   * @param options libpq options for pg_dump's session ({@link SessionSettings#libpqOptions})
   */
  public Schema dump(ConnectionSpec spec, String options) throws IOException {
    List<String> args =
        List.of(
            "--schema-only",
            "--no-owner",
            "--no-privileges",
            "--exclude-table=" + MigrationActivitiesImpl.HISTORY_TABLE,
            "--exclude-table=" + SchemaDrift.TABLE,
            SessionSettings.dbnameArgument(spec.database(), options));
    String text;
    try (PgTool.Running dump = tools.start(PgTool.PG_DUMP, args, spec)) {
      dump.stdin().close();
      try (InputStream out = dump.stdout()) {
        text = new String(out.readAllBytes(), StandardCharsets.UTF_8);
      }
      Integer exit;
      try {
        exit = dump.waitFor(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted waiting for pg_dump --schema-only", e);
      }
      if (exit == null || exit != 0) {
        throw new IOException(
            "pg_dump --schema-only of "
                + spec.address()
                + "/"
                + spec.database()
                + " exited with "
                + exit
                + ": "
                + dump.errors());
      }
    }
    return normalise(text);
  }

  /** The statements of a pg_dump text without what differs between identical schemas. */
  public static Schema normalise(String pgDump) {
    StringBuilder kept = new StringBuilder();
    for (String line : pgDump.split("\n", -1)) {
      String s = line.stripTrailing();
      if (s.isBlank()
          || s.startsWith("--")
          || s.startsWith("SET ")
          || s.startsWith("SELECT pg_catalog.set_config(")
          || s.startsWith("\\restrict")
          || s.startsWith("\\unrestrict")) {
        continue;
      }
      kept.append(s).append('\n');
    }
    List<String> statements = new ArrayList<>();
    for (String statement : kept.toString().split(";\n", -1)) {
      String st = statement.strip();
      if (!st.isEmpty()) {
        statements.add(st);
      }
    }
    return new Schema(statements, sha256(String.join(";\n", statements)));
  }

  /**
   * What differs between two schemas, one line per statement: {@code missing: ...} for what {@code
   * before} has and {@code after} lacks, {@code extra: ...} for the reverse. Empty when equal.
   */
  public static List<String> differences(Schema before, Schema after) {
    Map<String, Integer> counts = new HashMap<>();
    for (String s : after.statements()) {
      counts.merge(s, 1, Integer::sum);
    }
    List<String> all = new ArrayList<>();
    for (String s : before.statements()) {
      Integer n = counts.get(s);
      if (n == null || n == 0) {
        all.add("missing: " + oneLine(s));
      } else {
        counts.put(s, n - 1);
      }
    }
    for (String s : after.statements()) {
      Integer n = counts.get(s);
      if (n != null && n > 0) {
        all.add("extra: " + oneLine(s));
        counts.put(s, n - 1);
      }
    }
    if (all.size() <= MAX_DIFFERENCES) {
      return all;
    }
    List<String> cut = new ArrayList<>(all.subList(0, MAX_DIFFERENCES));
    cut.add("... and " + (all.size() - MAX_DIFFERENCES) + " more differences");
    return cut;
  }

  private static String oneLine(String statement) {
    String s = statement.replaceAll("\\s+", " ");
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  /**
   * Keeps a snapshot's text under {@code key} on this worker, in a directory only the worker's user
   * can enter (0700) and a file only it can read (0600), whatever the umask. Snapshots no run came
   * back for within {@link #KEPT_FOR} are removed on the way.
   */
  public void keep(String key, Schema schema) throws IOException {
    PrivateFiles.directory(store);
    removeOlderThan(KEPT_FOR);
    Path tmp = PrivateFiles.newFile(store, "snapshot", ".tmp");
    try {
      Files.writeString(tmp, schema.text(), StandardCharsets.UTF_8);
      Files.move(tmp, file(key), StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The snapshot kept under {@code key}, if this worker has it. */
  public Optional<Schema> kept(String key) throws IOException {
    Path file = file(key);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    return Optional.of(normalise(Files.readString(file, StandardCharsets.UTF_8)));
  }

  /** Removes the snapshot kept under {@code key}, once its run needs it no more. */
  public void discard(String key) throws IOException {
    Files.deleteIfExists(file(key));
  }

  /**
   * The key the migration workflow keeps its run's snapshot under ({@code RUN/backup/schema}), from
   * the key of another step of the same run ({@code RUN/verify}).
   */
  static String snapshotKeyOfRun(String stepKey) {
    int slash = stepKey.lastIndexOf('/');
    return (slash < 0 ? stepKey : stepKey.substring(0, slash)) + "/backup/schema";
  }

  private void removeOlderThan(Duration age) throws IOException {
    FileTime before = FileTime.from(Instant.now().minus(age));
    try (Stream<Path> files = Files.list(store)) {
      for (Path f : files.toList()) {
        if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)
            && Files.getLastModifiedTime(f).compareTo(before) < 0) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  private Path file(String key) {
    return store.resolve(sha256(key).substring(0, 32) + ".sql");
  }

  /**
   * Where a worker keeps schema snapshots: under its own data directory ({@code RUNBOOKS_DATA_DIR},
   * else {@code $XDG_STATE_HOME/runbooks}, else {@code ~/.local/state/runbooks}), never a fixed
   * path in a directory every user can write to.
   */
  public static Path workerDirectory(Map<String, String> env, String home) {
    String data = env.get("RUNBOOKS_DATA_DIR");
    if (data != null && !data.isBlank()) {
      return Path.of(data, SNAPSHOTS);
    }
    String state = env.get("XDG_STATE_HOME");
    if (state != null && !state.isBlank()) {
      return Path.of(state, "runbooks", SNAPSHOTS);
    }
    return Path.of(home, ".local", "state", "runbooks", SNAPSHOTS);
  }

  /** {@link #workerDirectory(Map, String)} of this process. */
  public static Path workerDirectory() {
    return workerDirectory(System.getenv(), System.getProperty("user.home"));
  }

  static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
