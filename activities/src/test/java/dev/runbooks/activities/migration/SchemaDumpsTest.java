package dev.runbooks.activities.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.postgres.PgTool;
import dev.runbooks.pgtools.PgBinaries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaDumpsTest {
  @TempDir Path dir;

  private static final String DUMP =
      "--\n-- PostgreSQL database dump\n--\n\\restrict abc123\n"
          + "SET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\n\n"
          + "CREATE TABLE public.accounts (\n    id bigint NOT NULL,\n    email text\n);\n\n"
          + "CREATE INDEX accounts_email_idx ON public.accounts USING btree (email);\n"
          + "\\unrestrict abc123\n";

  @Test
  void normalisingDropsWhatDiffersBetweenIdenticalSchemas() {
    SchemaDumps.Schema a = SchemaDumps.normalise(DUMP);
    SchemaDumps.Schema b =
        SchemaDumps.normalise(DUMP.replace("abc123", "zzz999").replace("-- PostgreSQL", "-- x"));
    assertEquals(2, a.statements().size(), a.statements().toString());
    assertEquals(a.sha256(), b.sha256());
    assertEquals(List.of(), SchemaDumps.differences(a, b));
    // What a worker keeps and reads back compares equal to what it dumped.
    assertEquals(a.sha256(), SchemaDumps.normalise(a.text()).sha256());
  }

  @Test
  void differencesNameMissingAndExtraStatements() {
    SchemaDumps.Schema before = SchemaDumps.normalise(DUMP);
    SchemaDumps.Schema after =
        SchemaDumps.normalise(
            DUMP.replace(
                "CREATE INDEX accounts_email_idx ON public.accounts USING btree (email);\n",
                "CREATE TABLE public.audit (\n    id bigint\n);\n"));
    assertNotEquals(before.sha256(), after.sha256());
    assertEquals(
        List.of(
            "missing: CREATE INDEX accounts_email_idx ON public.accounts USING btree (email)",
            "extra: CREATE TABLE public.audit ( id bigint )"),
        SchemaDumps.differences(before, after));
  }

  @Test
  void keepsSnapshotsPrivateAndRemovesThemAfterUse() throws Exception {
    // A parent anyone may write to, as a umask of 000 would make it: the store stays private.
    Path parent = Files.createDirectory(dir.resolve("data"));
    Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path store = parent.resolve("schema-snapshots");
    SchemaDumps dumps = new SchemaDumps(new PgTool(PgBinaries.require()), store);
    SchemaDumps.Schema schema = SchemaDumps.normalise(DUMP);

    dumps.keep("run-1/backup/schema", schema);

    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store)));
    try (var files = Files.list(store)) {
      for (Path f : files.toList()) {
        assertEquals(
            "rw-------",
            PosixFilePermissions.toString(Files.getPosixFilePermissions(f)),
            f.toString());
      }
    }
    assertEquals(
        Optional.of(schema.sha256()), dumps.kept("run-1/backup/schema").map(s -> s.sha256()));

    dumps.discard("run-1/backup/schema");

    assertEquals(Optional.empty(), dumps.kept("run-1/backup/schema"));
    try (var files = Files.list(store)) {
      assertEquals(List.of(), files.toList());
    }
  }

  @Test
  void forgetsSnapshotsNoRunCameBackFor() throws Exception {
    Path store = dir.resolve("schema-snapshots");
    SchemaDumps dumps = new SchemaDumps(new PgTool(PgBinaries.require()), store);
    dumps.keep("old-run", SchemaDumps.normalise(DUMP));
    try (var files = Files.list(store)) {
      for (Path f : files.toList()) {
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().minus(Duration.ofDays(8))));
      }
    }

    dumps.keep("new-run", SchemaDumps.normalise(DUMP));

    assertEquals(Optional.empty(), dumps.kept("old-run"));
    assertTrue(dumps.kept("new-run").isPresent());
  }

  @Test
  void snapshotsLiveInTheWorkersOwnDataDirectoryNotAFixedTmpPath() {
    assertEquals(
        Path.of("/var/lib/runbooks/schema-snapshots"),
        SchemaDumps.workerDirectory(Map.of("RUNBOOKS_DATA_DIR", "/var/lib/runbooks"), "/home/w"));
    assertEquals(
        Path.of("/state/runbooks/schema-snapshots"),
        SchemaDumps.workerDirectory(Map.of("XDG_STATE_HOME", "/state"), "/home/w"));
    assertEquals(
        Path.of("/home/w/.local/state/runbooks/schema-snapshots"),
        SchemaDumps.workerDirectory(Map.of(), "/home/w"));
  }
}
