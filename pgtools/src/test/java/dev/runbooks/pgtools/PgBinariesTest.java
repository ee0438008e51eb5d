package dev.runbooks.pgtools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgBinariesTest {
  @TempDir Path temp;

  @Test
  void explicitBinDirectoryWins() throws IOException {
    Path explicit = fakeBin(temp.resolve("explicit"), 12);
    Path debian = temp.resolve("debian");
    fakeBin(debian.resolve("16/bin"), 16);

    PgBinaries found =
        PgBinaries.lookup(
                Map.of(PgBinaries.ENV, explicit.toString()),
                debian,
                env -> Optional.of(fakeBinUnchecked(temp.resolve("pgconfig"), 14)))
            .found()
            .orElseThrow();

    assertEquals(explicit, found.binDir());
    assertEquals(12, found.majorVersion());
  }

  @Test
  void anExplicitDirectoryWithoutInitdbIsReportedNotPassedOver() throws IOException {
    Path empty = Files.createDirectories(temp.resolve("empty"));
    Path debian = temp.resolve("debian");
    fakeBin(debian.resolve("16/bin"), 16);

    PgBinaries.Lookup lookup =
        PgBinaries.lookup(
            Map.of(PgBinaries.ENV, empty.toString()), debian, env -> Optional.empty());

    assertTrue(lookup.found().isEmpty());
    assertTrue(lookup.explain().contains(PgBinaries.ENV + "=" + empty), lookup.explain());
  }

  @Test
  void pgConfigComesBeforeTheDebianDirectories() throws IOException {
    Path fromPgConfig = fakeBin(temp.resolve("pgconfig"), 14);
    Path debian = temp.resolve("debian");
    fakeBin(debian.resolve("16/bin"), 16);

    PgBinaries found =
        PgBinaries.lookup(Map.of(), debian, env -> Optional.of(fromPgConfig)).found().orElseThrow();

    assertEquals(fromPgConfig, found.binDir());
  }

  @Test
  void theHighestDebianVersionWinsNumerically() throws IOException {
    Path debian = temp.resolve("debian");
    fakeBin(debian.resolve("9.6/bin"), 9);
    fakeBin(debian.resolve("10/bin"), 10);
    Files.createDirectories(debian.resolve("17/bin")); // no initdb: not a server

    PgBinaries found =
        PgBinaries.lookup(
                Map.of(), debian, env -> Optional.of(temp.resolve("pg-config-without-initdb")))
            .found()
            .orElseThrow();

    assertEquals(debian.resolve("10/bin"), found.binDir());
    assertEquals(10, found.majorVersion());
  }

  @Test
  void pathIsTheLastResort() throws IOException {
    Path onPath = fakeBin(temp.resolve("on-path"), 13);

    PgBinaries found =
        PgBinaries.lookup(
                Map.of("PATH", temp.resolve("nothing") + ":" + onPath),
                temp.resolve("no-debian"),
                env -> Optional.empty())
            .found()
            .orElseThrow();

    assertEquals(onPath, found.binDir());
  }

  @Test
  void nothingFoundSaysWhatToInstall() {
    PgBinaries.Lookup lookup =
        PgBinaries.lookup(
            Map.of("PATH", temp.toString()), temp.resolve("no-debian"), env -> Optional.empty());

    assertTrue(lookup.found().isEmpty());
    String message = lookup.explain();
    assertTrue(message.contains("apt-get install postgresql"), message);
    assertTrue(message.contains("dnf install postgresql-server"), message);
    assertTrue(message.contains("brew install postgresql"), message);
    assertTrue(message.contains(PgBinaries.ENV), message);
  }

  @Test
  void theMachinesBinariesHaveEveryToolTheRunbooksUse() {
    PgBinaries binaries = PgBinaries.require();
    for (String tool :
        new String[] {
          "initdb", "pg_ctl", "postgres", "pg_basebackup", "pg_dump", "pg_restore", "psql"
        }) {
      assertTrue(Files.isExecutable(binaries.bin(tool)), tool);
    }
    MissingPostgresException missing =
        assertThrows(MissingPostgresException.class, () -> binaries.bin("pg_no_such_tool"));
    assertTrue(missing.getMessage().contains(PgBinaries.ENV), missing.getMessage());
  }

  /** A bin directory whose initdb reports {@code major}. */
  private static Path fakeBin(Path dir, int major) throws IOException {
    Files.createDirectories(dir);
    Path initdb = dir.resolve("initdb");
    Files.writeString(initdb, "#!/bin/sh\necho 'initdb (PostgreSQL) " + major + ".1'\n");
    Files.setPosixFilePermissions(initdb, PosixFilePermissions.fromString("rwxr-xr-x"));
    return dir;
  }

  private static Path fakeBinUnchecked(Path dir, int major) {
    try {
      return fakeBin(dir, major);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
