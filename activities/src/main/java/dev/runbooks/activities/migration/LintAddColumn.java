package dev.runbooks.activities.migration;

import static dev.runbooks.activities.migration.LintRule.*;

import dev.runbooks.activities.migration.LintScanner.Token;
import java.util.List;
import java.util.Set;

/** The lint's checks of ALTER TABLE ... ADD COLUMN on a table in use. */
final class LintAddColumn {
  /** Functions a column default may call without PostgreSQL rewriting the table (not volatile). */
  private static final Set<String> STABLE_FUNCTIONS =
      Set.of(
          "now",
          "to_char",
          "concat",
          "format",
          "md5",
          "abs",
          "round",
          "transaction_timestamp",
          "statement_timestamp",
          "current_setting",
          "lower",
          "upper",
          "coalesce",
          "nullif",
          "greatest",
          "least",
          "array",
          "row",
          "to_jsonb",
          "jsonb_build_object",
          "json_build_object",
          "jsonb_build_array",
          "make_interval",
          "make_date",
          "date_trunc",
          "interval",
          "numeric",
          "varchar",
          "timestamp",
          "timestamptz",
          "char",
          "character",
          "decimal",
          "bit",
          "time",
          "varying");

  /** Volatile functions often used as defaults: PostgreSQL evaluates them for every row. */
  private static final Set<String> VOLATILE =
      Set.of(
          "random",
          "gen_random_uuid",
          "uuid_generate_v1",
          "uuid_generate_v1mc",
          "uuid_generate_v4",
          "clock_timestamp",
          "timeofday",
          "nextval",
          "txid_current",
          "setseed");

  private static final Set<String> SERIALS =
      Set.of("serial", "serial2", "serial4", "serial8", "smallserial", "bigserial");

  private LintAddColumn() {}

  /** ADD COLUMN on an existing table: the cursor is after the column name. */
  static void check(LintCursor a, String column, LintRules.Hits out) {
    String type = a.peek() == null ? "" : a.peek().text();
    boolean serial = SERIALS.contains(type);
    boolean generated = a.has("generated");
    boolean identity = generated && a.has("identity");
    int def = a.indexOf("default");
    String volatileCall = def < 0 ? null : volatileCall(a.from(def));
    if (serial || identity || (generated && a.has("stored")) || volatileCall != null) {
      out.add(
          ADDING_FIELD_WITH_DEFAULT,
          "ADD COLUMN "
              + column
              + (serial
                  ? " as " + type + " (a nextval() default)"
                  : identity
                      ? " as an identity column"
                      : volatileCall != null
                          ? " with a default calling "
                              + volatileCall
                              + (VOLATILE.contains(volatileCall)
                                  ? "(), which is volatile,"
                                  : "(), which may be volatile (if it is not, mark it STABLE or"
                                      + " IMMUTABLE and suppress with that reason),")
                          : " GENERATED ... STORED")
              + " rewrites the whole table under ACCESS EXCLUSIVE: no reads or writes until it"
              + " ends; add the column plain, backfill it in batches, then set the default or"
              + " expression");
    } else if (a.indexOf("not", "null") >= 0 && def < 0) {
      out.add(
          ADDING_REQUIRED_FIELD,
          "ADD COLUMN "
              + column
              + " NOT NULL without a default fails as soon as the table has a row; add it with a"
              + " constant DEFAULT, or nullable and backfilled, then SET NOT NULL");
    }
    if (a.has("references")) {
      out.add(
          ADDING_FOREIGN_KEY_CONSTRAINT,
          "ADD COLUMN "
              + column
              + " REFERENCES validates the foreign key at once while it blocks writes to both"
              + " tables; add the column, then the constraint NOT VALID, then VALIDATE it in a"
              + " later migration");
    }
    if (a.indexOf("primary", "key") >= 0) {
      out.add(
          ADDING_SERIAL_PRIMARY_KEY_FIELD,
          "ADD COLUMN "
              + column
              + " PRIMARY KEY builds its index under ACCESS EXCLUSIVE; add the column, CREATE"
              + " UNIQUE INDEX CONCURRENTLY, then ADD PRIMARY KEY USING INDEX");
    }
    if (a.has("unique")) {
      out.add(
          DISALLOWED_UNIQUE_CONSTRAINT,
          "ADD COLUMN "
              + column
              + " UNIQUE builds its index under ACCESS EXCLUSIVE; add the column, CREATE UNIQUE"
              + " INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX");
    }
    if (a.has("check")) {
      out.add(
          CONSTRAINT_MISSING_NOT_VALID,
          "ADD COLUMN "
              + column
              + " CHECK scans the table under ACCESS EXCLUSIVE; add the column, then the CHECK"
              + " NOT VALID, then VALIDATE it in a later migration");
    }
  }

  /**
   * The first function a DEFAULT expression calls that is not known to be stable, or null: such a
   * default is evaluated for every row, which rewrites the table.
   */
  private static String volatileCall(List<Token> rest) {
    int depth = rest.get(0).depth();
    for (int k = 1; k + 1 < rest.size(); k++) {
      Token t = rest.get(k);
      if (t.depth() == depth && t.kind() == LintScanner.Kind.WORD && isClause(t.text())) {
        return null;
      }
      if (t.kind() == LintScanner.Kind.WORD
          && rest.get(k + 1).isSymbol("(")
          && !STABLE_FUNCTIONS.contains(t.text())) {
        return t.text();
      }
    }
    return null;
  }

  private static boolean isClause(String word) {
    return Set.of(
            "not",
            "null",
            "constraint",
            "check",
            "references",
            "primary",
            "unique",
            "generated",
            "collate")
        .contains(word);
  }
}
