package dev.runbooks.activities.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code failover:} section of a target. */
class FailoverConfigTest {
  private static final String BASE =
      "targets:\n  orders:\n    primary: { host: db1, database: orders }\n"
          + "    admin: { user: postgres }\n";

  @TempDir Path dir;

  private TargetConfig load(String failover) throws IOException {
    Path file = Files.writeString(dir.resolve("runbooks.yaml"), BASE + failover);
    return ConfigLoader.load(file, Map.of()).target("orders");
  }

  @Test
  void defaultsWhenTheTargetHasNoFailoverSection() throws IOException {
    FailoverConfig f = load("").failover();
    assertNull(f.fenceRoles());
    assertEquals(FailoverConfig.DEFAULT_CATCH_UP_TIMEOUT, f.catchUpTimeout());
    assertEquals(FailoverConfig.DEFAULT_MAX_LAG_BYTES, f.maxLagBytes());
    assertEquals(List.of(), f.hook());
    assertEquals("runbooks/endpoints/orders", f.endpointSecret());
  }

  @Test
  void readsEveryKey() throws IOException {
    FailoverConfig f =
        load("    failover:\n"
                + "      fenceRoles: [app, reporting]\n"
                + "      approval: true\n"
                + "      catchUpTimeout: PT30S\n"
                + "      maxLagBytes: 1024\n"
                + "      hook: [/usr/local/bin/reload, --now]\n"
                + "      endpointSecret: endpoints/orders\n")
            .failover();
    assertEquals(
        new FailoverConfig(
            List.of("app", "reporting"),
            true,
            Duration.ofSeconds(30),
            1024,
            List.of("/usr/local/bin/reload", "--now"),
            "endpoints/orders"),
        f);
  }

  @Test
  void refusesAnEmptyHookProgramAndAMisspelledKey() {
    ConfigException hook =
        assertThrows(ConfigException.class, () -> load("    failover: { hook: [''] }\n"));
    assertTrue(hook.getMessage().contains("targets.orders.failover.hook"), hook.getMessage());
    ConfigException key =
        assertThrows(ConfigException.class, () -> load("    failover: { maxLag: 5 }\n"));
    assertTrue(key.getMessage().contains("maxLagBytes"), key.getMessage());
  }

  @Test
  void readsThePoolerWithItsAdminSecretAndIniFile() throws IOException {
    PoolerConfig p =
        load("    failover:\n"
                + "      pooler:\n"
                + "        host: 127.0.0.1\n"
                + "        port: 6432\n"
                + "        admin: { secret: pgbouncer/orders }\n"
                + "        ini: /etc/pgbouncer/pgbouncer.ini\n")
            .failover()
            .pooler();
    assertEquals("127.0.0.1:6432", p.address());
    assertEquals("pgbouncer/orders", p.admin().secret().path());
    assertEquals(Path.of("/etc/pgbouncer/pgbouncer.ini"), p.ini());
    assertNull(load("").failover().pooler());
  }

  @Test
  void refusesAPoolerWithoutItsIniOrWithABadPort() {
    ConfigException ini =
        assertThrows(
            ConfigException.class,
            () ->
                load(
                    "    failover: { pooler: { host: pgb, port: 6432, admin: { user: pgbouncer"
                        + " } } }\n"));
    assertTrue(ini.getMessage().contains("targets.orders.failover.pooler"), ini.getMessage());
    assertTrue(ini.getMessage().contains("ini is missing"), ini.getMessage());
    ConfigException port =
        assertThrows(
            ConfigException.class,
            () ->
                load(
                    "    failover: { pooler: { host: pgb, port: 99999, admin: { user: pgbouncer"
                        + " }, ini: /etc/pgbouncer/pgbouncer.ini } }\n"));
    assertTrue(
        port.getMessage().contains("targets.orders.failover.pooler.port"), port.getMessage());
  }
}
