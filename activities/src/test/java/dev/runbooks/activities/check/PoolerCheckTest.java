package dev.runbooks.activities.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.postgres.ConfiguredConnections;
import dev.runbooks.activities.secrets.FileSecretStore;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.testing.LocalPgBouncer;
import dev.runbooks.workflows.check.CheckInput;
import dev.runbooks.workflows.check.Finding;
import dev.runbooks.workflows.check.Findings;
import dev.runbooks.workflows.check.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check's pooler finding against a real PgBouncer in front of real clusters: reachable or not,
 * paused or not, and where its database points against the primary the members show.
 */
class PoolerCheckTest {
  private static final String FENCE =
      "failover-orders-20261203T070000|readonly=true|roles=|at=2026-12-03T07:00:01Z";

  @TempDir Path dir;
  private LocalCluster primary;
  private LocalCluster replica;
  private LocalPgBouncer bouncer;
  private CheckActivitiesImpl checks;

  @BeforeEach
  void setUp() throws Exception {
    primary = LocalCluster.builder().name("primary").start();
    replica = primary.createReplica("replica");
    bouncer = LocalPgBouncer.builder().name("orders").database("postgres", primary).start();
    FileSecretStore secrets = new FileSecretStore(dir.resolve("secrets.json"));
    secrets.write(
        "pgbouncer/orders",
        Map.of("username", LocalPgBouncer.ADMIN_USER, "password", bouncer.adminPassword()),
        OptionalInt.of(0));
    Path file =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n"
                + "  orders:\n"
                + "    primary: { host: 127.0.0.1, port: "
                + primary.port()
                + ", database: postgres, sslmode: disable }\n"
                + "    replicas: [ { name: db2, host: 127.0.0.1, port: "
                + replica.port()
                + " } ]\n"
                + "    admin: { user: postgres }\n"
                + "    failover:\n"
                + "      pooler: { host: 127.0.0.1, port: "
                + bouncer.port()
                + ", admin: { secret: pgbouncer/orders }, ini: "
                + bouncer.iniFile()
                + " }\n"
                + "  plain:\n"
                + "    primary: { host: 127.0.0.1, port: "
                + primary.port()
                + ", database: postgres, sslmode: disable }\n"
                + "    admin: { user: postgres }\n");
    RunbooksConfig config = ConfigLoader.load(file, Map.of());
    checks =
        new CheckActivitiesImpl(
            new ConfiguredConnections(config, secrets),
            CheckThresholds.defaults(),
            null,
            new PoolerCheck(t -> config.target(t).failover().pooler(), secrets, PgBinaries.find()));
  }

  @AfterEach
  void tearDown() {
    bouncer.close();
    replica.close();
    primary.close();
  }

  private List<Finding> pooler(String target) {
    Findings found = checks.checkPooler(new CheckInput(target, Duration.ofMinutes(5)));
    return found.findings();
  }

  @Test
  void aPoolerInFrontOfThePrimaryIsOkAndAPausedOneIsCriticalWithTheResume() {
    Finding ok = pooler("orders").get(0);
    assertEquals(Severity.OK, ok.severity(), ok.toString());
    assertTrue(
        ok.summary()
            .equals(
                "PgBouncer at 127.0.0.1:"
                    + bouncer.port()
                    + " answers, nothing paused; postgres -> the primary primary at 127.0.0.1:"
                    + primary.port()),
        ok.summary());
    assertTrue(
        ok.details()
            .contains(
                "database postgres -> 127.0.0.1:" + primary.port() + " (primary," + " writable)"),
        ok.details().toString());

    bouncer.admin("PAUSE");
    List<Finding> paused = pooler("orders");
    assertEquals(1, paused.size(), paused.toString());
    Finding p = paused.get(0);
    assertEquals(Severity.CRITICAL, p.severity(), p.toString());
    assertTrue(p.summary().contains("is PAUSED: every query through it waits"), p.summary());
    assertTrue(
        p.advice()
            .contains(
                "psql -h 127.0.0.1 -p " + bouncer.port() + " -U <admin user> pgbouncer -c RESUME"),
        p.advice());

    // The check changed nothing: the pooler is still paused, and RESUME ends it.
    bouncer.admin("RESUME");
    assertEquals(Severity.OK, pooler("orders").get(0).severity());
  }

  @Test
  void aPoolerStillPointingAtTheFencedOldPrimaryIsCriticalWithTheRepoint() throws Exception {
    primary.execute(
        "postgres",
        "ALTER SYSTEM SET default_transaction_read_only = on",
        "SELECT set_config('runbooks.fence', '', false)",
        "ALTER SYSTEM SET runbooks.fence = '" + FENCE + "'",
        "SELECT pg_reload_conf()");
    replica.execute("postgres", "SELECT pg_promote(true, 60)");

    List<Finding> found = pooler("orders");
    assertEquals(1, found.size(), found.toString());
    Finding f = found.get(0);
    assertEquals(Severity.CRITICAL, f.severity(), f.toString());
    assertTrue(
        f.summary()
            .contains(
                "sends database postgres to primary at 127.0.0.1:"
                    + primary.port()
                    + ", which is fenced by run failover-orders-20261203T070000"),
        f.summary());
    assertTrue(
        f.summary()
            .endsWith(
                "not to the primary db2 at 127.0.0.1:"
                    + replica.port()
                    + ": its clients' writes fail"),
        f.summary());
    assertTrue(
        f.advice()
            .startsWith(
                "point [databases] postgres in "
                    + bouncer.iniFile()
                    + " at host=127.0.0.1 port="
                    + replica.port()
                    + ", then RELOAD it: psql -h 127.0.0.1 -p "
                    + bouncer.port()),
        f.advice());
  }

  @Test
  void anUnreachablePoolerIsCriticalAndATargetWithoutOneIsOk() {
    bouncer.kill();
    Finding down = pooler("orders").get(0);
    assertEquals(Severity.CRITICAL, down.severity(), down.toString());
    assertTrue(
        down.summary().startsWith("PgBouncer at 127.0.0.1:" + bouncer.port() + " does not answer"),
        down.summary());
    assertTrue(down.advice().contains("start it (it reads " + bouncer.iniFile()), down.advice());

    Finding none = pooler("plain").get(0);
    assertEquals(Severity.OK, none.severity());
    assertEquals("no pooler is configured for plain (failover.pooler)", none.summary());
  }
}
