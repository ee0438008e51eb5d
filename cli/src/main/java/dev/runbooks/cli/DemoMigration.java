package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.worker.EmbeddedRunbooks;
import dev.runbooks.workflows.migration.MigrationRequest;
import dev.runbooks.workflows.migration.MigrationResult;
import dev.runbooks.workflows.migration.MigrationWorkflow;
import dev.runbooks.workflows.shared.Approval;
import dev.runbooks.workflows.shared.RunbookProgress;
import io.temporal.client.WorkflowClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The demo's migration: a target of its own ({@value #TARGET}, an empty database on the demo
 * primary) with four migrations and their down scripts; the run rehearses them on a scratch copy,
 * waits at the approval gate, is approved by the demo, takes its backup, applies and verifies.
 */
final class DemoMigration {
  static final String TARGET = "catalog";
  private static final String APPROVER = "demo-approver";

  private DemoMigration() {}

  /** The target's lines for the demo's runbooks.yaml; makes its database and migrations. */
  static String target(Path dir, LocalCluster primary, String secret)
      throws IOException, SQLException {
    primary.execute("postgres", "CREATE DATABASE " + TARGET);
    Path migrations = dir.resolve("migrations");
    Files.createDirectories(migrations.resolve("verify"));
    for (Map.Entry<String, String> f : scripts().entrySet()) {
      Files.writeString(migrations.resolve(f.getKey()), f.getValue());
    }
    return "  "
        + TARGET
        + ":\n    primary: { host: "
        + LocalCluster.HOST
        + ", port: "
        + primary.port()
        + ", database: "
        + TARGET
        + " }\n    admin: { secret: "
        + secret
        + " }\n    migrations: "
        + migrations
        + "\n    production: false\n";
  }

  private static Map<String, String> scripts() {
    Map<String, String> s = new TreeMap<>();
    String lock = "SET lock_timeout = '5s';\n";
    s.put(
        "V1__create_products.sql",
        lock + "CREATE TABLE products (id bigserial PRIMARY KEY, sku text NOT NULL, price int);\n");
    s.put("U1__create_products.sql", lock + "DROP TABLE products;\n");
    s.put(
        "V2__seed_products.sql",
        lock
            + "INSERT INTO products (sku, price) SELECT 'SKU-' || g, 100 + g"
            + " FROM generate_series(1, 1000) g;\n");
    s.put("U2__seed_products.sql", lock + "DELETE FROM products WHERE sku LIKE 'SKU-%';\n");
    s.put(
        "V3__index_products_sku.sql",
        lock + "CREATE UNIQUE INDEX CONCURRENTLY products_sku_idx ON products (sku);\n");
    s.put(
        "U3__index_products_sku.sql",
        lock + "DROP INDEX CONCURRENTLY IF EXISTS products_sku_idx;\n");
    s.put("V4__widen_price.sql", lock + "ALTER TABLE products ALTER COLUMN price TYPE bigint;\n");
    s.put("U4__widen_price.sql", lock + "ALTER TABLE products ALTER COLUMN price TYPE int;\n");
    s.put("verify/V2__seed_products.sql", "SELECT count(*) = 1000 FROM products;\n");
    return s;
  }

  /** Runs the migration, approving it at its gate as a second engineer would. */
  static DemoCommand.Ran run(
      EmbeddedRunbooks local,
      RunbooksConfig config,
      String taskQueue,
      String initiator,
      Screen screen,
      PrintWriter out)
      throws InterruptedException {
    WorkflowClient client = local.connection().client();
    RunbookStarter.Launch launch =
        new MigrationRuns(config, initiator)
            .migrate(
                TARGET,
                null,
                false,
                MigrationRequest.DEFAULT_LOCK_TIMEOUT,
                MigrationRequest.DEFAULT_STATEMENT_TIMEOUT,
                null);
    String id = new RunbookStarter(client, taskQueue, Clock.systemUTC()).start(launch);
    out.println("== migrate " + TARGET + " (rehearsal, then the approval gate): " + id);
    MigrationWorkflow run = client.newWorkflowStub(MigrationWorkflow.class, id);
    Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
    RunbookProgress progress = run.progress();
    while (progress.awaitingApproval() == null && !progress.outcome().finished()) {
      if (Instant.now().isAfter(deadline)) {
        break;
      }
      Thread.sleep(200);
      progress = run.progress();
    }
    if (progress.awaitingApproval() != null) {
      out.println("   " + progress.current());
      out.println("   the demo approves it as " + APPROVER + ": runbook approve " + id);
      run.approve(new Approval(APPROVER, "rehearsal proved the rollback"));
    }
    Launcher.Finished<MigrationResult> finished =
        Launcher.follow(
            client,
            id,
            MigrationResult.class,
            new Follower(client, out, screen, Clock.systemUTC()));
    String note = "";
    if (finished.result() != null) {
      MigrationReport.MIGRATE.printText(finished.result(), out);
      MigrationResult r = finished.result();
      note = "V" + r.toVersion() + ", " + r.applied().size() + " applied, backup " + r.backupId();
    }
    return new DemoCommand.Ran(
        "migrate", id, finished.end().outcome(), MigrationReport.MIGRATE.exitCode(finished), note);
  }
}
