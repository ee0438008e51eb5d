package dev.runbooks.activities.backup;

import static dev.runbooks.activities.backup.Harness.backup;
import static dev.runbooks.activities.backup.Harness.drill;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.repository.FileRepository;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.workflows.backup.Comparison;
import dev.runbooks.workflows.backup.RetentionPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A drill compares every kind of object pg_dump writes, not only tables and functions: a database
 * holding one of each round-trips with no difference, and one dropped or changed after the restore
 * is named.
 */
class EveryObjectKindTest {
  @RegisterExtension static final PostgresExtension pg = PostgresExtension.newPrimary();

  static final String KINDS = "kinds";

  @TempDir Path dir;

  private FileRepository repository;
  private Harness harness;

  @BeforeAll
  static void database() throws Exception {
    SampleDatabases.createEveryKind(pg.primary(), KINDS);
    BackupCipher.warmUp();
  }

  @BeforeEach
  void setUp() {
    repository = new FileRepository(dir.resolve("repository"));
    LocalKeysetKek kek = LocalKeysetKek.open(dir.resolve("kek.json"));
    harness =
        new Harness(
            new ClusterConnections(pg.primary(), Map.of(KINDS, KINDS)),
            new FixedTargets(
                java.util.Set.of(KINDS), repository, RetentionPolicy.keepEverything(), null),
            kek,
            kek,
            pg.primary().binaries(),
            Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  @Test
  void theManifestListsEveryKindAndARestoreMatchesIt() throws Exception {
    String id = "20261124T020000Z-kind";
    harness.backups.dumpDatabase(backup(KINDS, id));
    BackupManifest manifest = manifest(id);

    assertEquals(InventoryQueries.CURRENT, manifest.inventoryVersion());
    for (String expected :
        List.of(
            "extension pg_trgm",
            "trigger app.notes.notes_touch: CREATE TRIGGER notes_touch BEFORE UPDATE ON app.notes"
                + " FOR EACH ROW EXECUTE FUNCTION app.touch()",
            "trigger app.notes.notes_touch_insert: CREATE TRIGGER notes_touch_insert BEFORE"
                + " INSERT ON app.notes FOR EACH ROW EXECUTE FUNCTION app.touch() (disabled)",
            "event trigger no_ddl: on ddl_command_start execute app.no_ddl()",
            "enum type app.mood: ('sad', 'ok', 'happy')",
            "composite type app.pair: (x integer, label text)",
            "range type app.float_range: subtype double precision",
            "domain app.positive: integer not null default 1",
            "domain constraint app.positive.positive_check: CHECK ((VALUE > 0))",
            "procedure app.purge(IN days integer)",
            "aggregate app.total(integer) returns integer",
            "row level security app.notes: enabled",
            "policy app.notes.own_notes: permissive for select to public"
                + " using ((owner_name = CURRENT_USER))",
            "rule app.audit.audit_no_delete: CREATE RULE audit_no_delete AS ON DELETE TO"
                + " app.audit DO INSTEAD NOTHING;",
            "view app.happy_notes",
            "materialized view app.mood_counts",
            "index app.notes_body_trgm: CREATE INDEX notes_body_trgm ON app.notes USING gin"
                + " (body public.gin_trgm_ops)",
            "sequence options app.tickets: as bigint start 10 increment 5 minvalue 10"
                + " maxvalue 1000 cache 1 cycle",
            "collation app.german",
            "statistics object app.notes_stats",
            "text search configuration app.simple_english",
            "cast from app.pair to integer",
            "operator app.###(app.pair,app.pair)",
            "publication notes_pub",
            "foreign-data wrapper dummy_fdw",
            "server dummy_server",
            "large objects: 1")) {
      assertTrue(manifest.objects().contains(expected), () -> expected + " in " + manifest);
    }
    for (String comment :
        List.of(
            "comment on table app.notes: md5 ",
            "comment on column body of table app.notes: md5 ",
            "comment on trigger notes_touch on table app.notes: md5 ")) {
      assertTrue(
          manifest.objects().stream().anyMatch(o -> o.startsWith(comment)),
          () -> comment + " in " + manifest);
    }
    // A comment is free text and the manifest is not encrypted: only its digest is listed.
    assertFalse(BackupManifests.toJson(manifest).contains("what people wrote"));

    harness.restores.restoreBackup(drill(KINDS, id, "kinds_drill"));
    Comparison comparison = harness.restores.compareWithManifest(drill(KINDS, id, "kinds_drill"));
    harness.restores.dropRestoredDatabase(drill(KINDS, id, "kinds_drill"));

    assertEquals(List.of(), comparison.differences());
  }

  @Test
  void anObjectMissingOrChangedAfterTheRestoreIsNamed() throws Exception {
    String id = "20261124T030000Z-kind";
    harness.backups.dumpDatabase(backup(KINDS, id));
    harness.restores.restoreBackup(drill(KINDS, id, "kinds_changed"));
    pg.primary()
        .execute(
            "kinds_changed",
            "DROP TRIGGER notes_touch ON app.notes",
            "DROP POLICY own_notes ON app.notes",
            "ALTER TYPE app.mood ADD VALUE 'angry'",
            "COMMENT ON TABLE app.notes IS 'changed'",
            "DROP RULE audit_no_delete ON app.audit");

    Comparison comparison = harness.restores.compareWithManifest(drill(KINDS, id, "kinds_changed"));
    harness.restores.dropRestoredDatabase(drill(KINDS, id, "kinds_changed"));

    List<String> differences = comparison.differences();
    assertFalse(comparison.matches());
    for (String expected :
        List.of(
            "missing after the restore: trigger app.notes.notes_touch: CREATE TRIGGER"
                + " notes_touch BEFORE UPDATE ON app.notes FOR EACH ROW EXECUTE FUNCTION"
                + " app.touch()",
            "missing after the restore: policy app.notes.own_notes: permissive for select to"
                + " public using ((owner_name = CURRENT_USER))",
            "missing after the restore: enum type app.mood: ('sad', 'ok', 'happy')",
            "not in the backup: enum type app.mood: ('sad', 'ok', 'happy', 'angry')",
            "missing after the restore: rule app.audit.audit_no_delete: CREATE RULE"
                + " audit_no_delete AS ON DELETE TO app.audit DO INSTEAD NOTHING;")) {
      assertTrue(differences.contains(expected), () -> expected + " in " + differences);
    }
    assertTrue(
        differences.stream()
            .anyMatch(d -> d.startsWith("missing after the restore: comment on table app.notes")),
        differences::toString);
    // The trigger's comment went with it.
    assertTrue(
        differences.stream()
            .anyMatch(
                d ->
                    d.startsWith(
                        "missing after the restore: comment on trigger notes_touch on table")),
        differences::toString);
    assertEquals(8, differences.size(), differences::toString);
  }

  @Test
  void aManifestWrittenBeforeTheNewKindsIsComparedOnTheKindsItLists() throws Exception {
    String id = "20261124T040000Z-kind";
    harness.backups.dumpDatabase(backup(KINDS, id));
    List<String> tablesAndFunctions;
    try (Connection c = pg.primary().connect(KINDS)) {
      c.setAutoCommit(false);
      tablesAndFunctions =
          Inventory.read(c, InventoryQueries.TABLES_AND_FUNCTIONS, tables -> {}).objects();
      c.rollback();
    }
    // As the version before this one wrote it: no inventoryVersion, tables and functions only.
    JsonMapper json = JsonMapper.builder().build();
    String key = BackupLayout.manifestKey(KINDS, id);
    ObjectNode older = (ObjectNode) json.readTree(repository.get(key));
    older.remove("inventoryVersion");
    ArrayNode objects = older.putArray("objects");
    tablesAndFunctions.forEach(objects::add);
    repository.delete(key);
    repository.put(key, json.writeValueAsBytes(older));
    assertFalse(new String(repository.get(key), StandardCharsets.UTF_8).contains("\"trigger app."));

    harness.restores.restoreBackup(drill(KINDS, id, "kinds_older"));
    Comparison comparison = harness.restores.compareWithManifest(drill(KINDS, id, "kinds_older"));
    harness.restores.dropRestoredDatabase(drill(KINDS, id, "kinds_older"));

    assertEquals(InventoryQueries.TABLES_AND_FUNCTIONS, manifest(id).inventoryVersion());
    assertEquals(List.of(), comparison.differences());
  }

  private BackupManifest manifest(String id) throws Exception {
    return BackupManifests.fromJson(
        new String(repository.get(BackupLayout.manifestKey(KINDS, id)), StandardCharsets.UTF_8));
  }
}
