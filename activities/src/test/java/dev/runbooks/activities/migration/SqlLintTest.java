package dev.runbooks.activities.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.migration.LintFinding;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlLintTest {
  private static List<LintFinding> lint(String name, String sql) {
    return SqlLint.lint(List.of(new SqlLint.NamedSql(name, sql)));
  }

  private static List<String> rules(List<LintFinding> findings) {
    return findings.stream().map(LintFinding::rule).toList();
  }

  @Test
  void aFindingNamesScriptLineRuleAndTheLighterWay() {
    List<LintFinding> findings =
        lint("V2__i.sql", "-- orders is in use\n\nCREATE INDEX orders_x\n  ON public.orders (x);");
    assertEquals(1, findings.size(), findings.toString());
    assertEquals(
        "V2__i.sql:3 require-concurrent-index-creation: CREATE INDEX on orders without"
            + " CONCURRENTLY blocks writes to orders while it builds; use CREATE INDEX"
            + " CONCURRENTLY, in a migration of its own",
        findings.get(0).warning());
    assertEquals(List.of(findings.get(0).warning()), SqlLint.warnings(findings));
  }

  @Test
  void aKnownVolatileDefaultIsSaidToBeOneAndAnUnknownFunctionMayBe() {
    List<LintFinding> findings =
        lint(
            "V3__d.sql",
            "ALTER TABLE orders ADD COLUMN t uuid DEFAULT gen_random_uuid();\n"
                + "ALTER TABLE orders ADD COLUMN c text DEFAULT next_code();");
    assertTrue(
        findings.get(0).message().contains("calling gen_random_uuid(), which is volatile,"),
        findings.toString());
    assertTrue(
        findings.get(1).message().contains("calling next_code(), which may be volatile"),
        findings.toString());
  }

  @Test
  void neverAsksForALockTimeoutBecauseTheRunbookSetsIt() {
    // The old lint told every script that changes a table to SET lock_timeout itself.
    assertEquals(List.of(), lint("V8__l.sql", "ALTER TABLE orders ADD COLUMN note text;"));
    assertEquals(
        List.of("overriding-runbook-timeout"),
        rules(
            lint("V9__t.sql", "SET lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN n text;")));
  }

  @Test
  void tablesCreatedEarlierInThePendingSetAreNew() {
    assertEquals(
        List.of(),
        SqlLint.lint(
            List.of(
                new SqlLint.NamedSql("V1__a.sql", "CREATE TABLE t (id int, o int);"),
                new SqlLint.NamedSql(
                    "V2__b.sql",
                    "CREATE INDEX t_id ON t (id);\n"
                        + "ALTER TABLE t ALTER COLUMN o TYPE bigint, ALTER o SET NOT NULL;\n"
                        + "ALTER TABLE t ADD CONSTRAINT pos CHECK (o > 0);\n"
                        + "ALTER TABLE t RENAME COLUMN o TO owner;\n"
                        + "DROP INDEX t_id;\n"
                        + "ALTER TABLE t DROP COLUMN owner;"),
                new SqlLint.NamedSql("V3__c.sql", "DROP TABLE t;"))));
    // ... and only in scripts after the one that created them.
    assertEquals(
        List.of("require-concurrent-index-creation"),
        rules(
            SqlLint.lint(
                List.of(
                    new SqlLint.NamedSql("V1__a.sql", "CREATE INDEX t_id ON t (id);"),
                    new SqlLint.NamedSql("V2__b.sql", "CREATE TABLE t (id int);")))));
  }

  @Test
  void commentsStringsAndFunctionBodiesAreNotStatements() {
    assertEquals(
        List.of(),
        lint(
            "V1__ok.sql",
            "/* ALTER TABLE orders DROP COLUMN a; /* nested */ DROP TABLE orders; */\n"
                + "-- ALTER TABLE orders ALTER COLUMN total SET NOT NULL;\n"
                + "INSERT INTO notes VALUES ('DROP TABLE orders; VACUUM FULL orders;');\n"
                + "INSERT INTO notes VALUES (E'it\\'s; DROP TABLE orders;');\n"
                + "CREATE FUNCTION f() RETURNS void AS $body$ BEGIN DROP TABLE orders; END;"
                + " $body$ LANGUAGE plpgsql;\n"
                + "CREATE TABLE \"Drop; table\" (id int);"));
  }

  @Test
  void aConcurrentStatementInsideBeginIsRefusedByPostgres() {
    List<LintFinding> findings =
        lint("V4__c.sql", "BEGIN;\nDROP INDEX CONCURRENTLY orders_x;\nCOMMIT;");
    assertEquals(
        List.of(
            "transaction-nesting",
            "ban-concurrent-index-creation-in-transaction",
            "transaction-nesting"),
        rules(findings));
    assertTrue(findings.get(1).message().contains("inside BEGIN"), findings.toString());
  }

  @Test
  void aSuppressionWithAReasonKeepsTheFindingQuietAndRecordsWhy() {
    List<LintFinding> findings =
        lint(
            "V5__d.sql",
            "-- runbooks:lint ignore ban-drop-column archived to S3 in ticket 42\n"
                + "ALTER TABLE orders DROP COLUMN legacy;\n"
                + "ALTER TABLE orders RENAME COLUMN a TO b; -- runbooks:lint ignore renaming-column,"
                + "ban-drop-table no client reads a\n"
                + "DROP TABLE legacy;");
    assertEquals(List.of("ban-drop-column", "renaming-column", "ban-drop-table"), rules(findings));
    assertEquals("archived to S3 in ticket 42", findings.get(0).suppressed());
    assertEquals("no client reads a", findings.get(1).suppressed());
    assertNull(findings.get(2).suppressed(), "a suppression covers its own statement only");
    assertEquals(List.of(findings.get(2).warning()), SqlLint.warnings(findings));
  }

  @Test
  void aSuppressionWithoutAReasonOrWithAnUnknownRuleIsBadInput() {
    ApplicationFailure bare =
        assertThrows(
            ApplicationFailure.class,
            () ->
                lint(
                    "V6__e.sql",
                    "SELECT 1;\n-- runbooks:lint ignore ban-drop-table\nDROP TABLE legacy;"));
    assertEquals("BAD_INPUT", bare.getType());
    assertTrue(
        bare.getOriginalMessage()
            .startsWith(
                "V6__e.sql line 3: '-- runbooks:lint ignore ban-drop-table' gives no reason;"),
        bare.getOriginalMessage());
    ApplicationFailure unknown =
        assertThrows(
            ApplicationFailure.class,
            () -> lint("V7__f.sql", "-- runbooks:lint ignore drop-table old\nDROP TABLE legacy;"));
    assertEquals("BAD_INPUT", unknown.getType());
    assertTrue(
        unknown.getOriginalMessage().contains("drop-table is not one of"),
        unknown.getOriginalMessage());
  }
}
