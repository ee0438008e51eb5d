package dev.runbooks.activities.migration;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The migration lint's rules. Ids are squawk's (the PostgreSQL migration linter) where it has the
 * rule, so a team that knows one knows the other; the last few are this runbook's own. Every rule
 * is about a lock, a rewrite or a destructive change on a table that exists before the pending set
 * runs, for PostgreSQL 15.
 */
enum LintRule {
  REQUIRE_CONCURRENT_INDEX_CREATION(
      "CREATE INDEX without CONCURRENTLY blocks writes while it builds"),
  REQUIRE_CONCURRENT_INDEX_DELETION("DROP INDEX without CONCURRENTLY blocks reads and writes"),
  REQUIRE_CONCURRENT_REINDEX(
      "REINDEX without CONCURRENTLY blocks writes, and reads using the index"),
  REQUIRE_CONCURRENT_PARTITION_DETACH(
      "DETACH PARTITION without CONCURRENTLY holds ACCESS EXCLUSIVE on the parent"),
  ADDING_FIELD_WITH_DEFAULT(
      "ADD COLUMN with a volatile default, serial, identity or GENERATED ... STORED: a rewrite"),
  ADDING_REQUIRED_FIELD("ADD COLUMN ... NOT NULL without a default fails on a table with rows"),
  ADDING_SERIAL_PRIMARY_KEY_FIELD(
      "ADD COLUMN ... PRIMARY KEY builds its index under ACCESS EXCLUSIVE"),
  ADDING_PRIMARY_KEY_CONSTRAINT(
      "ADD PRIMARY KEY without USING INDEX builds the index under ACCESS EXCLUSIVE"),
  DISALLOWED_UNIQUE_CONSTRAINT(
      "ADD UNIQUE (or EXCLUDE) without USING INDEX builds the index under ACCESS EXCLUSIVE"),
  ADDING_FOREIGN_KEY_CONSTRAINT(
      "a FOREIGN KEY (or REFERENCES) without NOT VALID scans the table under lock"),
  CONSTRAINT_MISSING_NOT_VALID(
      "a CHECK without NOT VALID, or validated in the transaction that added it, scans under lock"),
  ADDING_NOT_NULLABLE_FIELD("SET NOT NULL scans the table under ACCESS EXCLUSIVE"),
  CHANGING_COLUMN_TYPE("ALTER COLUMN ... TYPE rewrites the table (and its indexes) under lock"),
  REWRITING_TABLE(
      "SET TABLESPACE, SET LOGGED/UNLOGGED, SET ACCESS METHOD rewrite the table under lock"),
  PREFER_REPACK("VACUUM FULL and CLUSTER rewrite the table under ACCESS EXCLUSIVE"),
  REQUIRE_CONCURRENT_REFRESH(
      "REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks reads of the view"),
  BAN_ALTER_DOMAIN_WITH_ADD_CONSTRAINT(
      "ALTER DOMAIN ... ADD CONSTRAINT checks every column of the domain under lock"),
  BAN_CREATE_DOMAIN_WITH_CONSTRAINT(
      "CREATE DOMAIN with a constraint: changing it later scans every column using it"),
  BAN_CONCURRENT_INDEX_CREATION_IN_TRANSACTION(
      "a CONCURRENTLY statement inside BEGIN, or beside other statements in its script"),
  TRANSACTION_NESTING(
      "BEGIN, COMMIT or ROLLBACK inside a script that Flyway runs in a transaction"),
  ENUM_VALUE_USED_IN_TRANSACTION(
      "ALTER TYPE ... ADD VALUE, then the new value used in the same transaction"),
  BAN_DROP_COLUMN("DROP COLUMN: data lost, and clients that select it break"),
  BAN_DROP_TABLE("DROP TABLE: data lost"),
  BAN_DROP_DATABASE("DROP DATABASE: data lost"),
  BAN_DROP_SCHEMA("DROP SCHEMA: everything in it lost"),
  BAN_DROP_SEQUENCE("DROP SEQUENCE: its position lost, and defaults using it break"),
  BAN_DROP_DOMAIN("DROP DOMAIN: columns of that type break"),
  BAN_DROP_EXTENSION("DROP EXTENSION: its objects and the data in them lost"),
  BAN_DROP_NOT_NULL("DROP NOT NULL: clients that rely on the column being set break"),
  BAN_TRUNCATE_CASCADE("TRUNCATE ... CASCADE empties every table that references it too"),
  RENAMING_COLUMN("RENAME COLUMN breaks clients that use the old name"),
  RENAMING_TABLE("RENAME TO breaks clients that use the old name"),
  BAN_SET_SCHEMA("SET SCHEMA moves the table away from clients that use its old name"),
  OVERRIDING_RUNBOOK_TIMEOUT(
      "SET lock_timeout or statement_timeout overrides the runbook's own (--lock-timeout)");

  final String id;
  final String summary;

  LintRule(String summary) {
    this.id = name().toLowerCase(Locale.ROOT).replace('_', '-');
    this.summary = summary;
  }

  static Optional<LintRule> byId(String id) {
    return Arrays.stream(values()).filter(r -> r.id.equals(id)).findFirst();
  }
}
