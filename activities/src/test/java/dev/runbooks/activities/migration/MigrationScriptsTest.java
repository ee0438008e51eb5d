package dev.runbooks.activities.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

  @Test
  void suggestsTheDownScriptNameWithTheVersionAsWritten() throws Exception {
    for (String up :
        List.of("V1_1__add_x.sql", "V2.0.1__y.sql", "V10__z_z.sql", "V2021_01_02_1200__w.sql")) {
      Files.writeString(dir.resolve(up), "CREATE TABLE t (id int);");
    }
    assertEquals(
        List.of(
            "V1_1__add_x.sql (expected U1_1__add_x.sql)",
            "V2.0.1__y.sql (expected U2.0.1__y.sql)",
            "V10__z_z.sql (expected U10__z_z.sql)",
            "V2021_01_02_1200__w.sql (expected U2021_01_02_1200__w.sql)"),
        MigrationScripts.missingDowns(MigrationScripts.read(dir).all()));
  }

  @Test
  void findsTheMarkerAfterLeadingBlockAndLineComments() throws Exception {
    Files.writeString(
        dir.resolve("V1__a.sql"),
        "/*\n * Copyright the vendor.\n /* nested */ still a comment\n */\n"
            + "-- what it does\n-- runbooks: irreversible: drops data\nDROP TABLE t;");
    Files.writeString(
        dir.resolve("V2__b.sql"),
        "/* header */ CREATE TABLE u (id int);\n-- runbooks: irreversible\n");
    MigrationScripts scripts = MigrationScripts.read(dir);
    assertTrue(scripts.get("1").orElseThrow().irreversible());
    assertFalse(scripts.get("2").orElseThrow().irreversible());
  }

  @Test
  void configuredIrreversibleVersionsNeedNoMarkerAndMustExist() throws Exception {
    for (String up : List.of("V1_8__a.sql", "V1_9__b.sql", "V1_10__c.sql", "V1_2__d.sql")) {
      Files.writeString(dir.resolve(up), "/* vendor */\nCREATE TABLE t (id int);");
    }
    MigrationScripts scripts = MigrationScripts.read(dir, List.of("1.2", "1_9+"));
    assertEquals(
        List.of("1.2:true", "1.8:false", "1.9:true", "1.10:true"),
        scripts.all().stream().map(s -> s.version() + ":" + s.irreversible()).toList());
    assertEquals(
        List.of("V1_8__a.sql (expected U1_8__a.sql)"),
        MigrationScripts.missingDowns(scripts.all()));

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> MigrationScripts.read(dir, List.of("1.7")));
    assertTrue(e.getMessage().contains("lists \"1.7\", but there is no migration V1.7__*.sql"));
    assertTrue(
        e.getMessage().contains("the versions there are 1.2, 1.8, 1.9, 1.10"), e.getMessage());
  }
}
