package dev.runbooks.activities.migration;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Flags statements in pending migrations that take heavy locks on tables in use, the way a reviewer
 * would: each finding names the script, what it does, and the lighter way. Findings are warnings in
 * the plan; they do not stop a run.
 */
public final class SqlLint {
  private static final String ID = "(?:\"[^\"]+\"|[a-z_][a-z0-9_$]*)";
  private static final String NAME = "(" + ID + "(?:\\." + ID + ")?)";
  private static final Pattern CREATE_TABLE =
      Pattern.compile(
          "^create (?:unlogged |temp |temporary )?table (?:if not exists )?" + NAME + ".*");
  private static final Pattern CREATE_INDEX =
      Pattern.compile(
          "^create (?:unique )?index (concurrently )?(?:if not exists )?(?:"
              + ID
              + " )?on (?:only )?"
              + NAME
              + ".*");
  private static final Pattern ALTER_TABLE =
      Pattern.compile("^alter table (?:if exists )?(?:only )?" + NAME + " (.*)");
  private static final Pattern ADD_COLUMN_DEFAULT =
      Pattern.compile("add (?:column )?(?:if not exists )?" + ID + " .*?\\bdefault\\b(.*)");
  private static final Pattern VOLATILE =
      Pattern.compile(
          "\\b(random|gen_random_uuid|uuid_generate_v[14]|clock_timestamp|timeofday|nextval"
              + "|txid_current|statement_timestamp)\\s*\\(");
  private static final Pattern COLUMN_TYPE =
      Pattern.compile("alter (?:column )?" + ID + " (?:set data )?type\\b");
  private static final Pattern FK_OR_CHECK =
      Pattern.compile("add (?:constraint " + ID + " )?(foreign key|check)\\b");
  private static final Pattern LOCK_TIMEOUT =
      Pattern.compile("^set (?:local |session )?lock_timeout\\b");

  private SqlLint() {}

  /**
   * Lints pending scripts in order. A table created earlier in the same set is new: indexing or
   * altering it takes no lock anyone waits on.
   *
   * @param scripts file name to SQL, in the order they apply
   */
  public static List<String> lint(List<NamedSql> scripts) {
    List<String> warnings = new ArrayList<>();
    Set<String> newTables = new HashSet<>();
    for (NamedSql script : scripts) {
      boolean lockTimeout = false;
      boolean locking = false;
      for (String statement : SqlStatements.split(script.sql())) {
        String s = statement.toLowerCase(Locale.ROOT);
        if (LOCK_TIMEOUT.matcher(s).find()) {
          lockTimeout = true;
          continue;
        }
        Matcher m = CREATE_TABLE.matcher(s);
        if (m.matches()) {
          newTables.add(bare(m.group(1)));
          continue;
        }
        m = CREATE_INDEX.matcher(s);
        if (m.matches()) {
          locking = true;
          if (m.group(1) == null && !newTables.contains(bare(m.group(2)))) {
            warnings.add(
                script.name()
                    + ": CREATE INDEX on existing table "
                    + bare(m.group(2))
                    + " without CONCURRENTLY blocks its writes while it builds; use CREATE"
                    + " INDEX CONCURRENTLY (in a migration of its own)");
          }
          continue;
        }
        m = ALTER_TABLE.matcher(s);
        if (m.matches()) {
          locking = true;
          String table = bare(m.group(1));
          if (!newTables.contains(table)) {
            alterTable(script.name(), table, m.group(2), warnings);
          }
        }
        if (s.startsWith("drop ") || s.startsWith("update ") || s.startsWith("delete ")) {
          locking = true;
        }
      }
      if (locking && !lockTimeout) {
        warnings.add(
            script.name()
                + ": sets no lock_timeout, so a statement queued behind a long transaction"
                + " blocks everything queued behind it; start it with SET lock_timeout = '5s'");
      }
    }
    return warnings;
  }

  private static void alterTable(String script, String table, String action, List<String> out) {
    Matcher d = ADD_COLUMN_DEFAULT.matcher(action);
    if (d.find() && VOLATILE.matcher(d.group(1)).find()) {
      out.add(
          script
              + ": ADD COLUMN on "
              + table
              + " with a volatile DEFAULT rewrites the whole table under an ACCESS EXCLUSIVE"
              + " lock; add the column without a default, then backfill in batches");
    }
    if (COLUMN_TYPE.matcher(action).find()) {
      out.add(
          script
              + ": ALTER COLUMN ... TYPE on "
              + table
              + " usually rewrites the table under an ACCESS EXCLUSIVE lock; add a new column,"
              + " backfill it, and switch over");
    }
    Matcher fk = FK_OR_CHECK.matcher(action);
    if (fk.find() && !action.contains("not valid")) {
      out.add(
          script
              + ": "
              + fk.group(1).toUpperCase(Locale.ROOT)
              + " constraint on "
              + table
              + " without NOT VALID scans the table while holding its lock; add it NOT VALID,"
              + " then VALIDATE CONSTRAINT in a later migration");
    } else if (action.matches(".*\\badd (?:column )?.*\\breferences\\b.*")) {
      out.add(
          script
              + ": a column with REFERENCES added to "
              + table
              + " validates the foreign key at once; add the column, then the constraint NOT"
              + " VALID, then VALIDATE CONSTRAINT");
    }
    if (action.contains("set not null")) {
      out.add(
          script
              + ": SET NOT NULL on "
              + table
              + " scans the table under an ACCESS EXCLUSIVE lock; first add a CHECK (col IS NOT"
              + " NULL) NOT VALID and validate it, then SET NOT NULL uses it");
    }
  }

  /** A table name without schema or quotes, for matching and messages. */
  private static String bare(String name) {
    String n = name.replace("\"", "");
    int dot = n.lastIndexOf('.');
    return dot < 0 ? n : n.substring(dot + 1);
  }

  /** A script's file name and its SQL. */
  public record NamedSql(String name, String sql) {}
}
