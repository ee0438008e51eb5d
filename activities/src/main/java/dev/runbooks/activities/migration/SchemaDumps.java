package dev.runbooks.activities.migration;

import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.PgTool;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

  /** Dumps {@code spec}'s database's schema and normalises it. */
  public Schema dump(ConnectionSpec spec) throws IOException {
    List<String> args =
        List.of(
            "--schema-only",
            "--no-owner",
            "--no-privileges",
            "--exclude-table=" + MigrationActivitiesImpl.HISTORY_TABLE,
            PgTool.dbnameArgument(spec.database()));
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

  /** Keeps a snapshot's text under {@code key} on this worker. */
  public void keep(String key, Schema schema) throws IOException {
    Files.createDirectories(store);
    Path file = file(key);
    Path tmp = Files.createTempFile(store, "snapshot", ".tmp");
    Files.writeString(tmp, schema.text(), StandardCharsets.UTF_8);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** The snapshot kept under {@code key}, if this worker has it. */
  public Optional<Schema> kept(String key) throws IOException {
    Path file = file(key);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    return Optional.of(normalise(Files.readString(file, StandardCharsets.UTF_8)));
  }

  private Path file(String key) {
    return store.resolve(sha256(key).substring(0, 32) + ".sql");
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
