package dev.runbooks.cli;

import static dev.runbooks.cli.DemoCommand.CUSTOMERS;
import static dev.runbooks.cli.DemoCommand.ORDERS;
import static dev.runbooks.cli.DemoCommand.SECRET;
import static dev.runbooks.cli.DemoCommand.TARGET;

import dev.runbooks.testing.LocalCluster;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What the demo sets up around its runs and takes down after them: the admin password, the sample
 * shop on the throwaway primary (replayed on the replica), the configuration, and the files.
 */
final class DemoSetup {
  private DemoSetup() {}

  static String newPassword() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** A small shop: customers and their orders, indexed, analysed, and queried a little. */
  static void loadSampleData(LocalCluster primary, LocalCluster replica)
      throws SQLException, InterruptedException {
    primary.execute("postgres", "CREATE DATABASE " + TARGET);
    primary.execute(
        TARGET,
        "CREATE EXTENSION IF NOT EXISTS pg_stat_statements",
        "CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
            + " name text NOT NULL, email text NOT NULL UNIQUE,"
            + " created_at timestamptz NOT NULL DEFAULT now())",
        "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
            + " customer_id bigint NOT NULL REFERENCES customers (id),"
            + " placed_at timestamptz NOT NULL,"
            + " status text NOT NULL CHECK (status IN ('new', 'paid', 'shipped', 'cancelled')),"
            + " total_cents integer NOT NULL CHECK (total_cents >= 0))",
        "CREATE INDEX orders_customer_id_idx ON orders (customer_id)",
        "CREATE INDEX orders_placed_at_idx ON orders (placed_at)",
        "INSERT INTO customers (name, email) SELECT 'Customer ' || g,"
            + " 'customer' || g || '@example.com' FROM generate_series(1, "
            + CUSTOMERS
            + ") g",
        "INSERT INTO orders (customer_id, placed_at, status, total_cents)"
            + " SELECT 1 + g % "
            + CUSTOMERS
            + ", now() - make_interval(mins => g),"
            + " (ARRAY['new', 'paid', 'shipped', 'cancelled'])[1 + g % 4],"
            + " 100 + (g * 37) % 50000 FROM generate_series(1, "
            + ORDERS
            + ") g",
        "ANALYZE",
        "SELECT status, count(*), sum(total_cents) FROM orders GROUP BY status",
        "SELECT c.name, count(o.id) FROM customers c JOIN orders o ON o.customer_id = c.id"
            + " GROUP BY c.name ORDER BY 2 DESC LIMIT 10");
    awaitReplica(replica);
  }

  /** Waits until the replica has replayed the sample data, so the check sees it caught up. */
  private static void awaitReplica(LocalCluster replica) throws SQLException, InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (true) {
      try (Connection c = replica.connect(TARGET);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
        if (rs.next() && rs.getLong(1) == ORDERS) {
          return;
        }
      } catch (SQLException e) {
        if (Instant.now().isAfter(deadline)) {
          throw e;
        }
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException(
            "the demo replica did not replay the sample data within 60 s; see "
                + replica.logFile());
      }
      Thread.sleep(100);
    }
  }

  /** {@code failover} is the target's failover section ({@link DemoPooler#config}), or empty. */
  static Path writeConfig(Path dir, LocalCluster primary, LocalCluster replica, String failover)
      throws IOException, SQLException {
    String yaml =
        "# Made by runbook demo: a throwaway primary and replica on this machine.\n"
            + "targets:\n"
            + "  "
            + TARGET
            + ":\n"
            + "    primary: { host: "
            + LocalCluster.HOST
            + ", port: "
            + primary.port()
            + ", database: "
            + TARGET
            + " }\n"
            + "    replicas: [ { name: "
            + replica.name()
            + ", host: "
            + LocalCluster.HOST
            + ", port: "
            + replica.port()
            + " } ]\n"
            + "    admin: { secret: "
            + SECRET
            + " }\n"
            + "    production: false\n"
            + failover
            + DemoMigration.target(dir, primary, SECRET)
            + "secrets: file://secrets.json\n"
            + "repository: file://"
            + dir.resolve("backups")
            + "\n"
            + "encryption: local-keyset:"
            + dir.resolve("backup-keyset.json")
            + "\n"
            + "retention: { keepLast: 3 }\n"
            + "backupFreshness: PT26H\n";
    return Files.writeString(dir.resolve("runbooks.yaml"), yaml);
  }

  static void printKept(
      PrintWriter out, Path dir, Path configFile, LocalCluster primary, LocalCluster replica) {
    out.println("Kept everything in " + dir + ":");
    out.println("  " + configFile + "     the configuration");
    out.println("  " + dir.resolve("secrets.json") + "     the admin password (mode 0600)");
    out.println("  " + dir.resolve("backups") + "     the backup repository");
    out.println("  " + dir.resolve("backup-keyset.json") + "     the backups' key (mode 0600)");
    out.println("  primary " + LocalCluster.HOST + ":" + primary.port() + "  " + primary.dataDir());
    out.println("  replica " + LocalCluster.HOST + ":" + replica.port() + "  " + replica.dataDir());
    out.println("Use them:");
    out.println("  runbook dev --config " + configFile);
    out.println(
        "  runbook check --target " + TARGET + " --wait --config " + configFile + "   # meanwhile");
    out.println("  runbook check --target " + TARGET + " --embedded --config " + configFile);
    out.println("  runbook backups --target " + TARGET + " --embedded --config " + configFile);
    String pgCtl = primary.binaries().bin("pg_ctl").toString();
    String as = "root".equals(System.getProperty("user.name")) ? "runuser -u postgres -- " : "";
    out.println("Stop and remove them:");
    out.println("  " + as + pgCtl + " -D " + replica.dataDir() + " stop");
    out.println("  " + as + pgCtl + " -D " + primary.dataDir() + " stop");
    out.println("  rm -rf " + dir);
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not remove " + dir + ": " + e.getMessage(), e);
    }
  }
}
