package dev.runbooks.activities.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.pgtools.PgBinaries;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How pg_dump and pg_restore are started: the password in their environment, never in argv. */
class PgToolTest {
  private static final String PASSWORD = "tool-Pw-'quoted' \\ 8812";

  @Test
  void passesThePasswordInTheEnvironmentNeverAsAnArgument() throws Exception {
    PgTool tools = new PgTool(PgBinaries.require());
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    ConnectionSpec spec =
        new ConnectionSpec("127.0.0.1", closed, "orders", "admin", PASSWORD, "disable");
    // pg_restore reads the archive from stdin before it connects: it waits while we look.
    try (PgTool.Running running =
        tools.start(PgTool.PG_RESTORE, List.of(PgTool.dbnameArgument("orders_x")), spec)) {
      String cmdline =
          Files.readString(Path.of("/proc/" + running.pid() + "/cmdline"), StandardCharsets.UTF_8);
      String environ =
          Files.readString(Path.of("/proc/" + running.pid() + "/environ"), StandardCharsets.UTF_8);

      assertTrue(cmdline.contains("pg_restore"), cmdline);
      assertTrue(cmdline.contains("--dbname=dbname='orders_x'"), cmdline);
      assertFalse(cmdline.contains(PASSWORD), "the password is in pg_restore's arguments");
      List<String> env = List.of(environ.split("\0"));
      assertTrue(env.contains("PGPASSWORD=" + PASSWORD), "PGPASSWORD is not set");
      assertTrue(env.contains("PGHOST=127.0.0.1"), environ);
      assertTrue(env.contains("PGPORT=" + closed), environ);
      assertTrue(env.contains("PGUSER=admin"), environ);
      assertTrue(env.contains("PGSSLMODE=disable"), environ);
      assertTrue(env.contains("PGAPPNAME=runbooks pg_restore"), environ);

      running.stdin().write("PGDMP".getBytes(StandardCharsets.US_ASCII));
      running.stdin().close();
      assertEquals(1, running.waitFor(30_000));
      String errors = running.errors();
      assertFalse(errors.isEmpty());
      assertFalse(errors.contains(PASSWORD), errors);
    }
  }

  @Test
  void keepsTheWorkersTlsSettingsButNothingThatCouldPointElsewhere() {
    Map<String, String> worker =
        Map.of(
            "PATH", "/usr/bin",
            "PGPASSWORD", "the-workers-own",
            "PGSERVICE", "elsewhere",
            "PGHOSTADDR", "10.9.9.9",
            "PGOPTIONS", "-c search_path=evil",
            "PGSSLROOTCERT", "/etc/ssl/db-ca.pem",
            "PGPASSFILE", "/var/lib/runbooks/.pgpass");
    ConnectionSpec spec = new ConnectionSpec("db1", 5433, "orders", "admin", null, "verify-full");

    Map<String, String> env = PgTool.environment(worker, spec, PgTool.PG_DUMP);

    assertEquals(
        Map.of(
            "PATH", "/usr/bin",
            "PGSSLROOTCERT", "/etc/ssl/db-ca.pem",
            "PGPASSFILE", "/var/lib/runbooks/.pgpass",
            "PGHOST", "db1",
            "PGPORT", "5433",
            "PGUSER", "admin",
            "PGSSLMODE", "verify-full",
            "PGAPPNAME", "runbooks pg_dump",
            "PGCONNECT_TIMEOUT", "10"),
        env);
  }

  @Test
  void scrubsThePasswordAndPasswordSettingsFromMessages() {
    assertEquals(
        "FATAL: password ******** rejected; conninfo host=db password=******** user=x",
        PgTool.scrub(
            "FATAL: password " + PASSWORD + " rejected; conninfo host=db password=abc user=x",
            PASSWORD));
    assertEquals(
        "dbname=x password=******** port=1",
        PgTool.scrub("dbname=x password='a b\\' c' port=1", null));
  }

  @Test
  void quotesTheDatabaseAsAConnectionStringValue() {
    assertEquals("--dbname=dbname='orders'", PgTool.dbnameArgument("orders"));
    assertEquals("--dbname=dbname='a=b \\'c\\' \\\\'", PgTool.dbnameArgument("a=b 'c' \\"));
  }

  @Test
  void knowsItsVersion() {
    PgTool tools = new PgTool(PgBinaries.require());
    assertTrue(tools.version(PgTool.PG_DUMP).startsWith("pg_dump (PostgreSQL) "));
    assertEquals(PgBinaries.require().majorVersion(), tools.majorVersion(PgTool.PG_RESTORE));
  }
}
