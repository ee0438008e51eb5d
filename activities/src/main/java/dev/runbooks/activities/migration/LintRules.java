package dev.runbooks.activities.migration;

import static dev.runbooks.activities.migration.LintRule.*;

import java.util.List;

/**
 * The lint's checks of one statement (ALTER TABLE's in {@link LintAlterTable}). Each finding names
 * the object, what the statement does to it while others use it, and the lighter way.
 */
final class LintRules {
  private LintRules() {}

  /** A rule that fired and why. */
  record Hit(LintRule rule, String message) {}

  /** Collects the hits of one statement. */
  interface Hits {
    void add(LintRule rule, String message);
  }

  static void check(LintScanner.Statement statement, LintState s, Hits out) {
    LintCursor c = new LintCursor(statement.tokens());
    for (String value : s.enumValuesHere) {
      if (!c.at("alter", "type") && c.hasString(value)) {
        out.add(
            ENUM_VALUE_USED_IN_TRANSACTION,
            "uses enum value "
                + value
                + ", added earlier in this script: Flyway runs the script in one transaction and"
                + " PostgreSQL refuses a new enum value before it commits (unsafe use of new"
                + " value); add the value in a migration of its own");
        break;
      }
    }
    if (c.accept("create")) {
      create(c, s, out);
    } else if (c.accept("alter", "table")) {
      LintAlterTable.check(c, s, out);
    } else if (c.accept("alter", "type")) {
      c.name();
      if (c.accept("add", "value")) {
        c.accept("if", "not", "exists");
        if (c.peek() != null && s.transactional) {
          s.enumValuesHere.add(c.peek().text());
        }
      }
    } else if (c.accept("alter", "domain")) {
      String domain = c.name();
      if (c.at("add") || c.at("set", "not", "null")) {
        if (!c.has("valid")) {
          out.add(
              BAN_ALTER_DOMAIN_WITH_ADD_CONSTRAINT,
              "a constraint added to domain "
                  + domain
                  + " is checked against every column of that type while their tables are"
                  + " locked; add it NOT VALID, then VALIDATE CONSTRAINT in a later migration");
        }
      }
    } else if (c.accept("drop")) {
      drop(c, s, out);
    } else if (c.accept("reindex")) {
      reindex(c, s, out);
    } else if (c.accept("vacuum")) {
      if (c.mentions("full")) {
        skipOptions(c);
        c.accept("full");
        c.accept("freeze");
        c.accept("verbose");
        c.accept("analyze");
        List<String> tables = c.names();
        if (tables.isEmpty() || tables.stream().anyMatch(s::existing)) {
          out.add(
              PREFER_REPACK,
              "VACUUM FULL "
                  + (tables.isEmpty() ? "of every table" : "of " + String.join(", ", tables))
                  + " rewrites it under ACCESS EXCLUSIVE: no reads or writes until it ends; use"
                  + " pg_repack or pg_squeeze, or plain VACUUM, outside the migration");
        }
      }
    } else if (c.accept("cluster")) {
      skipOptions(c);
      c.accept("verbose");
      String table = c.name();
      if (table == null || s.existing(table)) {
        out.add(
            PREFER_REPACK,
            "CLUSTER "
                + (table == null ? "of every clustered table" : "of " + table)
                + " rewrites it under ACCESS EXCLUSIVE: no reads or writes until it ends; use"
                + " pg_repack --order-by outside the migration");
      }
    } else if (c.accept("refresh", "materialized", "view")) {
      if (!c.accept("concurrently")) {
        String view = c.name();
        if (!s.newViews.contains(view)) {
          out.add(
              REQUIRE_CONCURRENT_REFRESH,
              "REFRESH MATERIALIZED VIEW "
                  + view
                  + " without CONCURRENTLY blocks every read of it until the refresh ends; use"
                  + " REFRESH MATERIALIZED VIEW CONCURRENTLY (it needs a unique index on the"
                  + " view)");
        }
      }
    } else if (c.accept("truncate")) {
      c.accept("table");
      c.accept("only");
      List<String> tables = c.names();
      if (c.has("cascade")) {
        out.add(
            BAN_TRUNCATE_CASCADE,
            "TRUNCATE "
                + String.join(", ", tables)
                + " CASCADE also empties every table with a foreign key to it, recursively;"
                + " name the tables to empty and leave out CASCADE");
      }
    } else if (c.at("set") || c.at("reset") || c.at("select")) {
      timeouts(c, out);
    } else if (c.at("begin")
        || c.at("start", "transaction")
        || c.at("commit")
        || c.at("end")
        || c.at("rollback")
        || c.at("abort")) {
      s.inBegin = c.at("begin") || c.at("start");
      out.add(
          TRANSACTION_NESTING,
          c.peek().text().toUpperCase(java.util.Locale.ROOT)
              + " in a migration: Flyway runs the script in a transaction of its own and"
              + " records the version in it, so this splits or ends that transaction; remove it");
    }
  }

  private static void create(LintCursor c, LintState s, Hits out) {
    c.accept("or", "replace");
    boolean unique = c.accept("unique");
    if (c.accept("index")) {
      boolean concurrently = c.accept("concurrently");
      c.accept("if", "not", "exists");
      String index = c.at("on") ? null : c.name();
      if (!c.accept("on")) {
        return;
      }
      boolean parentOnly = c.accept("only");
      String table = c.name();
      if (index != null) {
        s.indexTables.put(index, table);
      }
      if (!concurrently && !parentOnly && s.existing(table)) {
        out.add(
            REQUIRE_CONCURRENT_INDEX_CREATION,
            "CREATE "
                + (unique ? "UNIQUE " : "")
                + "INDEX on "
                + table
                + " without CONCURRENTLY blocks writes to "
                + table
                + " while it builds; use CREATE INDEX CONCURRENTLY, in a migration of its own");
      } else if (concurrently) {
        concurrent("CREATE INDEX CONCURRENTLY", s, out);
      }
      return;
    }
    if (c.accept("materialized", "view")) {
      c.accept("if", "not", "exists");
      s.newViews.add(c.name());
      return;
    }
    if (c.accept("domain")) {
      String domain = c.name();
      if (c.has("check") || c.has("constraint")) {
        out.add(
            BAN_CREATE_DOMAIN_WITH_CONSTRAINT,
            "domain "
                + domain
                + " has a constraint: changing it later checks every column of the domain under"
                + " lock; put the CHECK on the table's columns instead");
      }
      return;
    }
    while (c.accept("global")
        || c.accept("local")
        || c.accept("temp")
        || c.accept("temporary")
        || c.accept("unlogged")) {
      // a table's persistence: still a new table
    }
    if (c.accept("table")) {
      c.accept("if", "not", "exists");
      String table = c.name();
      if (table != null) {
        s.newTables.add(table);
      }
    }
  }

  private static void drop(LintCursor c, LintState s, Hits out) {
    if (c.accept("table")) {
      c.accept("if", "exists");
      List<String> tables = c.names();
      List<String> existing = tables.stream().filter(s::existing).toList();
      tables.forEach(s.newTables::remove);
      if (!existing.isEmpty()) {
        out.add(
            BAN_DROP_TABLE,
            "DROP TABLE "
                + String.join(", ", existing)
                + " deletes its rows for good, and a rollback cannot bring them back; rename it"
                + " away first and drop it in a later release, or suppress with the reason");
      }
    } else if (c.accept("index")) {
      boolean concurrently = c.accept("concurrently");
      c.accept("if", "exists");
      List<String> indexes = c.names();
      if (concurrently) {
        concurrent("DROP INDEX CONCURRENTLY", s, out);
      } else if (indexes.stream().anyMatch(s::existingIndex)) {
        out.add(
            REQUIRE_CONCURRENT_INDEX_DELETION,
            "DROP INDEX "
                + String.join(", ", indexes)
                + " without CONCURRENTLY waits for and then blocks every read and write of its"
                + " table; use DROP INDEX CONCURRENTLY, in a migration of its own");
      }
    } else {
      for (String[] kind :
          new String[][] {
            {"database", "BAN_DROP_DATABASE", "every table in it"},
            {"schema", "BAN_DROP_SCHEMA", "every object in it"},
            {"sequence", "BAN_DROP_SEQUENCE", "its position, and defaults that use it break"},
            {"domain", "BAN_DROP_DOMAIN", "columns of that type"},
            {"extension", "BAN_DROP_EXTENSION", "its objects and the data in them"}
          }) {
        if (c.accept(kind[0])) {
          c.accept("if", "exists");
          out.add(
              LintRule.valueOf(kind[1]),
              "DROP "
                  + kind[0].toUpperCase(java.util.Locale.ROOT)
                  + " "
                  + String.join(", ", c.names())
                  + " loses "
                  + kind[2]
                  + " for good, and a rollback cannot bring it back; drop it by hand once it is"
                  + " unused, or suppress with the reason");
          return;
        }
      }
    }
  }

  private static void reindex(LintCursor c, LintState s, Hits out) {
    boolean concurrently = c.mentions("concurrently");
    skipOptions(c);
    String kind = c.peek() == null ? "" : c.peek().text();
    c.skip();
    c.accept("concurrently");
    String name = c.name();
    boolean isNew =
        (kind.equals("table") && !s.existing(name))
            || (kind.equals("index") && !s.existingIndex(name));
    if (isNew) {
      return;
    }
    if (!concurrently) {
      out.add(
          REQUIRE_CONCURRENT_REINDEX,
          "REINDEX "
              + kind.toUpperCase(java.util.Locale.ROOT)
              + " "
              + (name == null ? "" : name)
              + " without CONCURRENTLY blocks writes to the table, and reads that use the index;"
              + " use REINDEX ... CONCURRENTLY, in a migration of its own");
    } else if (s.transactional && (kind.equals("table") || kind.equals("index"))) {
      out.add(
          BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION,
          "Flyway runs a script with REINDEX TABLE or INDEX ... CONCURRENTLY in a transaction (it"
              + " only runs CREATE or DROP INDEX CONCURRENTLY outside one), and PostgreSQL refuses"
              + " it there; run it by hand outside the migration");
    } else {
      concurrent("REINDEX CONCURRENTLY", s, out);
    }
  }

  /**
   * A CONCURRENTLY statement cannot be in BEGIN, and runs outside a transaction with its script.
   */
  static void concurrent(String what, LintState s, Hits out) {
    if (s.inBegin) {
      out.add(
          BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION,
          what + " inside BEGIN: PostgreSQL refuses it in a transaction block; remove the BEGIN");
    } else if (s.statements > 1) {
      out.add(
          BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION,
          what
              + " makes Flyway run its whole script outside a transaction, so a failure halfway"
              + " leaves the statements before it applied; put it in a migration of its own");
    }
  }

  private static void timeouts(LintCursor c, Hits out) {
    boolean set = c.accept("set");
    boolean reset = !set && c.accept("reset");
    if (set) {
      c.accept("session");
      c.accept("local");
    }
    String name = c.peek() == null || !(set || reset) ? "the timeouts" : c.peek().text();
    boolean timeout =
        ((set || reset) && (name.equals("lock_timeout") || name.equals("statement_timeout")))
            || (reset && name.equals("all"))
            || (c.mentions("set_config")
                && (c.hasString("'lock_timeout'") || c.hasString("'statement_timeout'")));
    if (timeout) {
      out.add(
          OVERRIDING_RUNBOOK_TIMEOUT,
          (reset ? "resets " : "sets ")
              + (name.equals("all") ? "every setting" : name)
              + " in a migration: the runbook sets lock_timeout (--lock-timeout) and"
              + " statement_timeout (--statement-timeout) for every version itself, and this"
              + " overrides them for the rest of the version; remove it");
    }
  }

  /** {@code (FULL, VERBOSE)} after VACUUM, CLUSTER, REINDEX. */
  private static void skipOptions(LintCursor c) {
    if (c.peek() != null && c.peek().isSymbol("(")) {
      while (!c.done() && !c.peek().isSymbol(")")) {
        c.skip();
      }
      c.skip();
    }
  }
}
