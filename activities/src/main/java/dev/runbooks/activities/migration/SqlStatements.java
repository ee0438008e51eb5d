package dev.runbooks.activities.migration;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a SQL script into statements at top-level semicolons, aware of comments, quoted strings
 * and identifiers, and dollar-quoted bodies. Comments are removed from the statements returned.
 */
final class SqlStatements {
  private SqlStatements() {}

  static List<String> split(String sql) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int end = sql.indexOf('\n', i);
        i = end < 0 ? n : end;
        current.append(' ');
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        i = afterBlockComment(sql, i);
        current.append(' ');
      } else if (c == '\'' || c == '"') {
        int end = i + 1;
        while (end < n) {
          if (sql.charAt(end) == c) {
            if (end + 1 < n && sql.charAt(end + 1) == c) {
              end += 2;
              continue;
            }
            break;
          }
          end++;
        }
        end = Math.min(end + 1, n);
        current.append(sql, i, end);
        i = end;
      } else if (c == '$' && dollarTag(sql, i) != null) {
        String tag = dollarTag(sql, i);
        int close = sql.indexOf(tag, i + tag.length());
        int end = close < 0 ? n : close + tag.length();
        current.append(sql, i, end);
        i = end;
      } else if (c == ';') {
        add(statements, current);
        current.setLength(0);
        i++;
      } else {
        current.append(c);
        i++;
      }
    }
    add(statements, current);
    return statements;
  }

  /** The index just after the block comment starting at {@code start}: PostgreSQL's nest. */
  static int afterBlockComment(String sql, int start) {
    int depth = 1;
    int i = start + 2;
    int n = sql.length();
    while (i < n && depth > 0) {
      if (sql.startsWith("/*", i)) {
        depth++;
        i += 2;
      } else if (sql.startsWith("*/", i)) {
        depth--;
        i += 2;
      } else {
        i++;
      }
    }
    return i;
  }

  private static void add(List<String> statements, StringBuilder current) {
    String s = current.toString().strip().replaceAll("\\s+", " ");
    if (!s.isEmpty()) {
      statements.add(s);
    }
  }

  /** {@code $tag$} starting at {@code i}, or null. */
  static String dollarTag(String sql, int i) {
    int j = i + 1;
    while (j < sql.length() && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
      j++;
    }
    if (j < sql.length() && sql.charAt(j) == '$') {
      if (j > i + 1 && Character.isDigit(sql.charAt(i + 1))) {
        return null; // $1: a parameter, not a tag
      }
      return sql.substring(i, j + 1);
    }
    return null;
  }
}
