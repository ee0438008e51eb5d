package dev.runbooks.activities.migration;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the lint knows while it reads a pending set in order: the objects the set created (no one
 * waits on their locks), and for the script at hand how Flyway runs it and what it added.
 */
final class LintState {
  /** Tables created by the pending set so far. */
  final Set<String> newTables = new HashSet<>();

  /** Materialized views created by the pending set so far. */
  final Set<String> newViews = new HashSet<>();

  /** Index name to its table, for indexes the pending set created. */
  final Map<String, String> indexTables = new HashMap<>();

  /** Constraint name to {@code table.column} for {@code CHECK (column IS NOT NULL)}. */
  final Map<String, String> notNullChecks = new HashMap<>();

  /**
   * {@code table.column} with a validated {@code CHECK (column IS NOT NULL)}: SET NOT NULL uses it.
   */
  final Set<String> notNullProven = new HashSet<>();

  /** Constraints added NOT VALID by the script at hand. */
  final Set<String> notValidHere = new HashSet<>();

  /** Enum values ({@code 'x'} as written) added by the script at hand. */
  final List<String> enumValuesHere = new ArrayList<>();

  /** Flyway runs the script at hand in one transaction. */
  boolean transactional;

  /** Inside an explicit BEGIN of the script at hand. */
  boolean inBegin;

  /** Statements of the script at hand other than SET and RESET. */
  int statements;

  void startScript(boolean transactional, int statements) {
    this.transactional = transactional;
    this.statements = statements;
    inBegin = false;
    notValidHere.clear();
    enumValuesHere.clear();
  }

  /** A table the pending set did not create: someone may be using it. */
  boolean existing(String table) {
    return table != null && !newTables.contains(table);
  }

  /** An index on a table the pending set did not create (or an index it does not know). */
  boolean existingIndex(String index) {
    return !indexTables.containsKey(index) || existing(indexTables.get(index));
  }
}
