package dev.runbooks.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPgBouncerTest {
  private static final String PASSWORD = "bouncer-Test-Pw-301";

  @Test
  void servesTheClusterAndPausesAndStopsOnClose() throws Exception {
    try (LocalCluster cluster = LocalCluster.builder().name("bounced").scram(PASSWORD).start()) {
      Path dir;
      try (LocalPgBouncer bouncer =
          LocalPgBouncer.builder()
              .database("postgres", cluster)
              .user(LocalCluster.SUPERUSER, PASSWORD)
              .start()) {
        dir = bouncer.iniFile().getParent();
        assertTrue(bouncer.isRunning());
        try (Connection c =
                DriverManager.getConnection(
                    bouncer.jdbcUrl("postgres"), LocalCluster.SUPERUSER, PASSWORD);
            Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT inet_server_port()")) {
          rs.next();
          assertEquals(cluster.port(), rs.getInt(1));
        }
        assertEquals(Map.of("postgres", "127.0.0.1:" + cluster.port()), bouncer.databases());
        bouncer.admin("PAUSE");
        bouncer.admin("RESUME");
        assertFalse(bouncer.console().run("RESUME").ok(), "RESUME when not paused is refused");
        bouncer.kill();
        assertFalse(bouncer.isRunning());
        bouncer.restart();
        assertTrue(bouncer.isRunning());
      }
      assertFalse(Files.exists(dir), dir + " is left behind");
    }
  }

  @Test
  void missingProgramNamesThePackage(@TempDir Path empty) {
    MissingPgBouncerException e =
        assertThrows(
            MissingPgBouncerException.class,
            () -> LocalPgBouncer.program(List.of(empty.resolve("pgbouncer"))));
    assertTrue(e.getMessage().contains("apt-get install"), e.getMessage());
    assertTrue(e.getMessage().contains("pgbouncer"), e.getMessage());
  }
}
