package dev.runbooks.activities.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationScriptsTest {
  @TempDir Path dir;

  @Test
  void readsUpDownVerifyAndTheIrreversibleMarker() throws Exception {
    Files.writeString(dir.resolve("V1__create.sql"), "CREATE TABLE t (id int);");
    Files.writeString(dir.resolve("U1__create.sql"), "DROP TABLE t;");
    Files.writeString(
        dir.resolve("V1_1__drop_legacy.sql"),
        "-- Legacy rows are archived.\n-- runbooks: irreversible: the rows are gone\n"
            + "DROP TABLE legacy;");
    Files.writeString(
        dir.resolve("V2__later.sql"), "CREATE TABLE u (id int);\n-- runbooks: irreversible\n");
    Files.writeString(dir.resolve("U9__stray.sql"), "SELECT 1;");
    Files.createDirectories(dir.resolve("verify"));
    Files.writeString(dir.resolve("verify/V1__create.sql"), "SELECT true;");

    MigrationScripts scripts = MigrationScripts.read(dir);

    assertEquals(List.of("1", "1.1", "2"), scripts.all().stream().map(s -> s.version()).toList());
    MigrationScripts.Script v1 = scripts.get("1").orElseThrow();
    assertEquals("U1__create.sql", v1.downName());
    assertEquals("verify/V1__create.sql", v1.verifyName());
    assertFalse(v1.irreversible());
    assertTrue(scripts.get("1_1").orElseThrow().irreversible(), "marker in the header");
    MigrationScripts.Script v2 = scripts.get("2").orElseThrow();
    assertFalse(v2.irreversible(), "a marker after the first statement does not count");
    assertNull(v2.down());
    assertEquals(
        List.of("V2__later.sql (expected U2__later.sql)"),
        MigrationScripts.missingDowns(scripts.all()));
    assertEquals(List.of("U9__stray.sql"), scripts.strayDowns());
  }
}
