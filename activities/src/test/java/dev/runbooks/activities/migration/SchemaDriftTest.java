package dev.runbooks.activities.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.workflows.migration.MigrationRequest;
import dev.runbooks.workflows.migration.MigrationWorkflow;
import dev.runbooks.workflows.shared.Outcome;
import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.Step;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A schema changed outside the migrations since the last apply is refused with the difference, and
 * applied over only with a reason, which is recorded.
 */
class SchemaDriftTest {
  private static final String PASSWORD = "drift-Secr3t-" + Long.toHexString(System.nanoTime());

  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.newPrimary().withScram(PASSWORD);

  @TempDir Path dir;
  private MigrationHarness h;

  @AfterEach
  void tearDown() {
    if (h != null) {
      h.close();
    }
  }

  private static Step step(RunbookProgress progress, String name) {
    return progress.steps().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void aDriftedSchemaIsRefusedWithTheDifferenceUnlessAcceptedWithAReason() throws Exception {
    h =
        new MigrationHarness(
            pg.primary(),
            PASSWORD,
            "drift",
            dir,
            Files.createDirectories(dir.resolve("migrations")),
            false,
            false);
    h.write(
        "V1__create_accounts.sql", "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);");
    h.write("U1__create_accounts.sql", "DROP TABLE accounts;");
    h.write("V2__create_orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);");
    h.write("U2__create_orders.sql", "DROP TABLE orders;");
    MigrationWorkflow first = h.stub("migrate-drift-1");
    first.run(h.request("alice", "1", true));
    assertTrue(
        step(first.progress(), "backup").detail().contains("schema as the rehearsal's starting"),
        step(first.progress(), "backup").detail());

    // By hand, outside the migrations.
    h.cluster.execute(
        h.database,
        "CREATE INDEX accounts_email_by_hand ON accounts (email)",
        "ALTER TABLE accounts ADD COLUMN nickname text");

    MigrationWorkflow refused = h.stub("migrate-drift-2");
    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class, () -> refused.run(h.request("alice", null, true)));
    ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failed.getCause());
    String message = cause.getOriginalMessage();
    assertEquals("BAD_INPUT", cause.getType(), message);
    assertTrue(message.contains("its schema drifted from the schema recorded"), message);
    assertTrue(message.contains("by run migrate-drift-1 (applied)"), message);
    assertTrue(message.contains("accounts_email_by_hand"), message);
    assertTrue(message.contains("nickname"), message);
    assertTrue(message.contains("--accept-drift REASON"), message);
    assertEquals(Outcome.FAILED, refused.progress().outcome());
    assertEquals(List.of("1:true"), h.history());

    MigrationRequest plain = h.request("alice", null, true);
    MigrationRequest accepted =
        new MigrationRequest(
            plain.runbook(),
            null,
            true,
            plain.lockTimeout(),
            plain.statementTimeout(),
            plain.lockRetries(),
            plain.lockBudget(),
            "index added by hand during incident 42");
    MigrationWorkflow third = h.stub("migrate-drift-3");
    third.run(accepted);
    String detail = step(third.progress(), "backup").detail();
    assertTrue(detail.contains("accepted (index added by hand during incident 42)"), detail);
    assertTrue(detail.contains("accounts_email_by_hand"), detail);
    assertEquals(List.of("1:true", "2:true"), h.history());
    assertEquals(
        List.of(
            "migrate-drift-1 applied",
            "migrate-drift-3 drift accepted: index added by hand during incident 42",
            "migrate-drift-3 applied"),
        records());
  }

  private List<String> records() throws Exception {
    List<String> rows = new java.util.ArrayList<>();
    try (Connection c = h.cluster.connect(h.database);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT run || ' ' || note FROM runbooks_schema_history ORDER BY recorded_at")) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    return rows;
  }
}
