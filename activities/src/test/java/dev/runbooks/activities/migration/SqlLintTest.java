package dev.runbooks.activities.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlLintTest {
  private static List<String> lint(String name, String sql) {
    return SqlLint.lint(List.of(new SqlLint.NamedSql(name, sql)));
  }

  private static void assertOne(List<String> warnings, String expected) {
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains(expected), warnings.toString());
  }

  @Test
  void flagsEachLockHeavyStatementOnAnExistingTable() {
    String set = "SET lock_timeout = '5s';\n";
    assertOne(
        lint("V2__i.sql", set + "CREATE INDEX orders_x ON public.orders (x);"),
        "V2__i.sql: CREATE INDEX on existing table orders without CONCURRENTLY");
    assertOne(
        lint(
            "V3__c.sql",
            set + "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();"),
        "volatile DEFAULT");
    assertOne(
        lint("V4__t.sql", set + "ALTER TABLE orders ALTER COLUMN total TYPE bigint;"), "TYPE");
    assertOne(
        lint(
            "V5__f.sql",
            set
                + "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES customers (id);"),
        "FOREIGN KEY constraint on orders without NOT VALID");
    assertOne(
        lint("V6__k.sql", set + "ALTER TABLE orders ADD CONSTRAINT pos CHECK (total >= 0);"),
        "CHECK constraint on orders without NOT VALID");
    assertOne(
        lint("V7__n.sql", set + "ALTER TABLE orders ALTER COLUMN total SET NOT NULL;"),
        "SET NOT NULL");
    assertOne(
        lint("V8__l.sql", "ALTER TABLE orders ADD COLUMN note text;"),
        "V8__l.sql: sets no lock_timeout");
  }

  @Test
  void lighterFormsAndNewTablesPass() {
    String set = "SET lock_timeout = '5s';\n";
    assertEquals(
        List.of(),
        lint(
            "V1__ok.sql",
            set
                + "CREATE INDEX CONCURRENTLY orders_x ON orders (x);\n"
                + "ALTER TABLE orders ADD COLUMN created timestamptz DEFAULT now();\n"
                + "ALTER TABLE orders ADD CONSTRAINT pos CHECK (total >= 0) NOT VALID;\n"
                + "-- ALTER TABLE orders ALTER COLUMN total SET NOT NULL; (a comment)\n"
                + "CREATE TABLE items (id int, o int);\n"
                + "CREATE INDEX items_o ON items (o);\n"
                + "ALTER TABLE items ALTER COLUMN o TYPE bigint;\n"
                + "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;"));
    // A table made by an earlier pending migration is new too.
    assertEquals(
        List.of(),
        SqlLint.lint(
            List.of(
                new SqlLint.NamedSql("V1__a.sql", set + "CREATE TABLE t (id int);"),
                new SqlLint.NamedSql("V2__b.sql", set + "CREATE INDEX t_id ON t (id);"))));
  }
}
