package dev.runbooks.activities.migration;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Cuts a migration script into statements of tokens for the lint, the way PostgreSQL's lexer would:
 * comments (nested block comments too), quoted strings ({@code E''} escapes included), quoted
 * identifiers and dollar-quoted bodies never end a statement or look like keywords. Each statement
 * keeps the line it starts on and the comments that belong to it: those before it since the
 * previous statement, those inside it, and one on the same line after its semicolon.
 */
final class LintScanner {
  enum Kind {
    /** A keyword or unquoted identifier, lower-cased. */
    WORD,
    /** A quoted identifier, without its quotes, case kept. */
    IDENT,
    /** A string constant or a dollar-quoted body, as written. */
    STRING,
    /** A number, an operator character, a parenthesis, a comma... */
    SYMBOL
  }

  /** A token and its parenthesis depth (0 at the statement's top level). */
  record Token(Kind kind, String text, int depth) {
    boolean is(String word) {
      return kind == Kind.WORD && text.equals(word);
    }

    boolean isSymbol(String s) {
      return kind == Kind.SYMBOL && text.equals(s);
    }

    /** A name as PostgreSQL folds it: unquoted lower-cased, quoted as written. */
    boolean isName() {
      return kind == Kind.WORD || kind == Kind.IDENT;
    }
  }

  /** One statement of a script. */
  record Statement(List<Token> tokens, int line, List<String> comments) {}

  private final String sql;
  private int i;
  private int line = 1;
  private final List<Statement> statements = new ArrayList<>();
  private List<Token> tokens = new ArrayList<>();
  private List<String> comments = new ArrayList<>();
  private int depth;
  private int startLine;

  /** The line of the last semicolon, while no token followed it yet. */
  private int endedOnLine = -1;

  /**
   * Nesting of a SQL-standard function body ({@code BEGIN ATOMIC ... END}, with CASE ... END in
   * it): its semicolons do not end the statement.
   */
  private int atomic;

  private LintScanner(String sql) {
    this.sql = sql;
  }

  static List<Statement> scan(String sql) {
    LintScanner s = new LintScanner(sql);
    s.run();
    return s.statements;
  }

  private void run() {
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\n') {
        line++;
        i++;
      } else if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '-' && sql.startsWith("--", i)) {
        int end = sql.indexOf('\n', i);
        end = end < 0 ? n : end;
        comment(sql.substring(i + 2, end));
        i = end;
      } else if (c == '/' && sql.startsWith("/*", i)) {
        int start = i;
        i = SqlStatements.afterBlockComment(sql, start);
        boolean closed = i >= start + 4 && sql.startsWith("*/", i - 2);
        String body = sql.substring(start + 2, closed ? i - 2 : i);
        comment(body);
        line += count(body, '\n');
      } else if (c == ';' && atomic > 0) {
        add(Kind.SYMBOL, ";");
        i++;
      } else if (c == ';') {
        end();
        endedOnLine = line;
        i++;
      } else if (c == '\'' || ((c == 'e' || c == 'E') && next('\''))) {
        int start = i;
        boolean escapes = c != '\'';
        i += escapes ? 2 : 1;
        while (i < n) {
          char d = sql.charAt(i);
          if (escapes && d == '\\') {
            i += 2;
          } else if (d == '\'' && next('\'')) {
            i += 2;
          } else if (d == '\'') {
            i++;
            break;
          } else {
            i++;
          }
        }
        add(Kind.STRING, sql.substring(start, Math.min(i, n)));
      } else if (c == '"') {
        int start = ++i;
        StringBuilder name = new StringBuilder();
        while (i < n) {
          if (sql.charAt(i) == '"' && next('"')) {
            name.append('"');
            i += 2;
          } else if (sql.charAt(i) == '"') {
            break;
          } else {
            name.append(sql.charAt(i++));
          }
        }
        line += count(sql.substring(start, Math.min(i, n)), '\n');
        i = Math.min(i + 1, n);
        add(Kind.IDENT, name.toString());
      } else if (c == '$' && SqlStatements.dollarTag(sql, i) != null) {
        String tag = SqlStatements.dollarTag(sql, i);
        int close = sql.indexOf(tag, i + tag.length());
        int end = close < 0 ? n : close + tag.length();
        add(Kind.STRING, sql.substring(i, end));
        i = end;
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < n
            && (Character.isLetterOrDigit(sql.charAt(i)) || "_$".indexOf(sql.charAt(i)) >= 0)) {
          i++;
        }
        String word = sql.substring(start, i).toLowerCase(Locale.ROOT);
        if (word.equals("atomic") && !tokens.isEmpty() && tokens.get(tokens.size() - 1).is("begin")
            || atomic > 0 && word.equals("case")) {
          atomic++;
        } else if (atomic > 0 && word.equals("end")) {
          atomic--;
        }
        add(Kind.WORD, word);
      } else {
        if (c == ')') {
          depth = Math.max(0, depth - 1);
        }
        add(Kind.SYMBOL, String.valueOf(c));
        if (c == '(') {
          depth++;
        }
        i++;
      }
    }
    end();
  }

  private void add(Kind kind, String text) {
    if (tokens.isEmpty()) {
      startLine = line;
    }
    endedOnLine = -1;
    tokens.add(new Token(kind, text, depth));
    if (kind == Kind.STRING) {
      line += count(text, '\n');
    }
  }

  /** A comment on the line a statement ended on belongs to that statement. */
  private void comment(String text) {
    if (tokens.isEmpty() && endedOnLine == line && !statements.isEmpty()) {
      statements.get(statements.size() - 1).comments().add(text.strip());
    } else {
      comments.add(text.strip());
    }
  }

  private void end() {
    if (!tokens.isEmpty()) {
      statements.add(new Statement(List.copyOf(tokens), startLine, comments));
      tokens = new ArrayList<>();
      comments = new ArrayList<>();
    }
    depth = 0;
    atomic = 0;
  }

  private boolean next(char c) {
    return i + 1 < sql.length() && sql.charAt(i + 1) == c;
  }

  private static int count(String s, char c) {
    int k = 0;
    for (int j = 0; j < s.length(); j++) {
      if (s.charAt(j) == c) {
        k++;
      }
    }
    return k;
  }
}
