package dev.runbooks.activities.migration;

import static dev.runbooks.activities.migration.LintRule.*;

import dev.runbooks.activities.migration.LintScanner.Token;
import java.util.List;

/** The lint's checks of ALTER TABLE, action by action. */
final class LintAlterTable {
  private LintAlterTable() {}

  /** The cursor is after ALTER TABLE. */
  static void check(LintCursor c, LintState s, LintRules.Hits out) {
    c.accept("if", "exists");
    c.accept("only");
    String table = c.name();
    if (table == null) {
      return;
    }
    if (c.peek() != null && c.peek().isSymbol("*")) {
      c.skip();
    }
    boolean existing = s.existing(table);
    if (c.accept("rename")) {
      rename(c, s, table, existing, out);
      return;
    }
    if (c.accept("detach", "partition")) {
      String partition = c.name();
      if (c.accept("concurrently")) {
        if (s.transactional) {
          out.add(
              BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION,
              "Flyway runs a script with DETACH PARTITION ... CONCURRENTLY in a transaction, and"
                  + " PostgreSQL refuses it there; run it by hand outside the migration");
        }
      } else if (existing && !c.accept("finalize")) {
        out.add(
            REQUIRE_CONCURRENT_PARTITION_DETACH,
            "DETACH PARTITION "
                + partition
                + " from "
                + table
                + " without CONCURRENTLY holds ACCESS EXCLUSIVE on "
                + table
                + ": no reads or writes of any partition meanwhile; detach it CONCURRENTLY, by"
                + " hand outside a transaction");
      }
      return;
    }
    for (LintCursor action : c.actions()) {
      action(action, s, table, existing, out);
    }
  }

  private static void rename(
      LintCursor c, LintState s, String table, boolean existing, LintRules.Hits out) {
    if (c.accept("to")) {
      String to = c.name();
      if (!existing) {
        s.newTables.add(to);
      } else {
        out.add(
            RENAMING_TABLE,
            "RENAME of table "
                + table
                + " to "
                + to
                + " breaks every client that still uses "
                + table
                + "; create a view named "
                + table
                + " over the renamed table until the clients moved, or suppress with the reason");
      }
    } else if (!c.at("constraint") && existing) {
      c.accept("column");
      String column = c.name();
      c.accept("to");
      out.add(
          RENAMING_COLUMN,
          "RENAME of column "
              + table
              + "."
              + column
              + " to "
              + c.name()
              + " breaks every client that still uses "
              + column
              + "; add the new column, write both, move the clients, then drop the old one");
    }
  }

  private static void action(
      LintCursor a, LintState s, String table, boolean existing, LintRules.Hits out) {
    if (a.accept("add")) {
      String constraint = a.accept("constraint") ? a.name() : null;
      if (constraint != null
          || a.at("primary")
          || a.at("unique")
          || a.at("check")
          || a.at("foreign")
          || a.at("exclude")) {
        constraint(a, s, table, constraint, existing, out);
      } else if (existing) {
        a.accept("column");
        a.accept("if", "not", "exists");
        LintAddColumn.check(a, table + "." + a.name(), out);
      }
    } else if (a.accept("alter")) {
      if (a.at("constraint") || !existing) {
        return;
      }
      a.accept("column");
      String column = a.name();
      if (a.at("type") || a.at("set", "data", "type")) {
        out.add(
            CHANGING_COLUMN_TYPE,
            "ALTER COLUMN "
                + table
                + "."
                + column
                + " TYPE rewrites "
                + table
                + " and its indexes under ACCESS EXCLUSIVE (unless the new type is binary"
                + " compatible); add a column of the new type, backfill it in batches, switch"
                + " over");
      } else if (a.accept("set", "not", "null")) {
        if (!s.notNullProven.contains(table + "." + column)) {
          out.add(
              ADDING_NOT_NULLABLE_FIELD,
              "SET NOT NULL on "
                  + table
                  + "."
                  + column
                  + " scans "
                  + table
                  + " under ACCESS EXCLUSIVE; first add CHECK ("
                  + column
                  + " IS NOT NULL) NOT VALID, VALIDATE it in a later migration, then SET NOT NULL"
                  + " uses it without a scan");
        }
      } else if (a.accept("drop", "not", "null")) {
        out.add(
            BAN_DROP_NOT_NULL,
            "DROP NOT NULL on "
                + table
                + "."
                + column
                + " lets NULLs in where clients expect none, and the down script's SET NOT NULL"
                + " fails once one is written; keep the column NOT NULL, or suppress with the"
                + " reason");
      }
    } else if (a.accept("drop")) {
      if (a.at("constraint") || !existing) {
        return;
      }
      a.accept("column");
      a.accept("if", "exists");
      out.add(
          BAN_DROP_COLUMN,
          "DROP COLUMN "
              + table
              + "."
              + a.name()
              + " deletes its values for good and breaks clients that still select it; stop"
              + " using it first and drop it in a later release, or suppress with the reason");
    } else if (a.accept("validate", "constraint")) {
      String name = a.name();
      String proven = s.notNullChecks.get(name);
      if (proven != null) {
        s.notNullProven.add(proven);
      }
      if (s.transactional && s.notValidHere.contains(name) && existing) {
        out.add(
            CONSTRAINT_MISSING_NOT_VALID,
            "VALIDATE CONSTRAINT "
                + name
                + " in the transaction that added it NOT VALID keeps "
                + table
                + " under ACCESS EXCLUSIVE for the whole scan; validate it in a later migration");
      }
    } else if (a.accept("set")) {
      if (a.at("schema") && existing) {
        a.skip();
        out.add(
            BAN_SET_SCHEMA,
            "SET SCHEMA moves "
                + table
                + " to "
                + a.name()
                + ", away from clients that use its old name; suppress with the reason if none do");
      } else if ((a.at("tablespace") || a.at("logged") || a.at("unlogged") || a.at("access"))
          && existing) {
        out.add(
            REWRITING_TABLE,
            "SET "
                + a.peek().text().toUpperCase(java.util.Locale.ROOT)
                + " on "
                + table
                + " rewrites it under ACCESS EXCLUSIVE: no reads or writes until it ends; do it"
                + " in a maintenance window outside the migration, or with pg_repack");
      }
    }
  }

  private static void constraint(
      LintCursor a, LintState s, String table, String name, boolean existing, LintRules.Hits out) {
    boolean notValid = a.indexOf("not", "valid") >= 0;
    boolean usingIndex = a.indexOf("using", "index") >= 0;
    String label = name == null ? "" : name + " ";
    if (a.at("check")) {
      String column = notNullColumn(a.rest());
      if (column != null && name != null) {
        s.notNullChecks.put(name, table + "." + column);
      }
      if (notValid) {
        s.notValidHere.add(name);
      } else {
        if (column != null) {
          s.notNullProven.add(table + "." + column);
        }
        if (existing) {
          out.add(
              CONSTRAINT_MISSING_NOT_VALID,
              "CHECK constraint "
                  + label
                  + "on "
                  + table
                  + " without NOT VALID scans "
                  + table
                  + " under ACCESS EXCLUSIVE; add it NOT VALID, then VALIDATE CONSTRAINT in a"
                  + " later migration");
        }
      }
    } else if (a.at("foreign")) {
      if (notValid) {
        s.notValidHere.add(name);
      } else if (existing) {
        out.add(
            ADDING_FOREIGN_KEY_CONSTRAINT,
            "FOREIGN KEY "
                + label
                + "on "
                + table
                + " without NOT VALID scans "
                + table
                + " while it blocks writes to both tables; add it NOT VALID, then VALIDATE"
                + " CONSTRAINT in a later migration");
      }
    } else if (a.at("primary") && !usingIndex && existing) {
      out.add(
          ADDING_PRIMARY_KEY_CONSTRAINT,
          "PRIMARY KEY "
              + label
              + "on "
              + table
              + " builds its index under ACCESS EXCLUSIVE; CREATE UNIQUE INDEX CONCURRENTLY"
              + " first, then ADD PRIMARY KEY USING INDEX");
    } else if ((a.at("unique") && !usingIndex || a.at("exclude")) && existing) {
      out.add(
          DISALLOWED_UNIQUE_CONSTRAINT,
          (a.at("unique") ? "UNIQUE" : "EXCLUDE")
              + " constraint "
              + label
              + "on "
              + table
              + " builds its index under ACCESS EXCLUSIVE; CREATE UNIQUE INDEX CONCURRENTLY"
              + " first, then ADD CONSTRAINT ... UNIQUE USING INDEX");
    }
  }

  /** {@code column} of {@code CHECK (column IS NOT NULL)}, or null. */
  private static String notNullColumn(List<Token> check) {
    List<Token> words = check.stream().filter(Token::isName).toList();
    int n = words.size();
    if (n >= 7 && words.get(n - 2).is("not") && words.get(n - 1).is("valid")) {
      words = words.subList(0, n - 2);
    }
    if (words.size() == 5
        && words.get(2).is("is")
        && words.get(3).is("not")
        && words.get(4).is("null")) {
      return words.get(1).text();
    }
    return null;
  }
}
