package dev.runbooks.workflows.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlansTest {
  @Test
  void theApproverSeesStandingFindingsAndSuppressedOnesWithTheirReason() {
    LintFinding standing =
        new LintFinding("renaming-column", "V3__r.sql", 2, "RENAME of column a.b breaks", null);
    LintFinding accepted =
        new LintFinding("ban-drop-table", "V4__d.sql", 5, "DROP TABLE x", "archived in S3");
    MigrationPlan plan =
        new MigrationPlan(
            "orders",
            "2",
            List.of(
                new PendingMigration("3", "r", "V3__r.sql", "U3__r.sql", false, null),
                new PendingMigration("4", "d", "V4__d.sql", null, true, null)),
            List.of(standing.warning()),
            false,
            List.of(standing, accepted));
    assertEquals(
        "at V2; pending: V3, V4 (irreversible); 1 lint warning: V3__r.sql:2 renaming-column:"
            + " RENAME of column a.b breaks; 1 suppressed by runbooks:lint ignore: V4__d.sql:5"
            + " ban-drop-table (archived in S3)",
        Plans.summary(plan));
  }
}
