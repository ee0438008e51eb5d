package dev.runbooks.activities.migration;

import dev.runbooks.activities.migration.LintScanner.Kind;
import dev.runbooks.activities.migration.LintScanner.Token;
import java.util.ArrayList;
import java.util.List;

/** Reads a statement's tokens front to back: keywords, names, clauses at the top level. */
final class LintCursor {
  private final List<Token> tokens;
  private int p;

  LintCursor(List<Token> tokens) {
    this.tokens = tokens;
  }

  /** The words at the cursor, in order; the cursor moves past them when they all match. */
  boolean accept(String... words) {
    if (!at(words)) {
      return false;
    }
    p += words.length;
    return true;
  }

  boolean at(String... words) {
    for (int k = 0; k < words.length; k++) {
      if (p + k >= tokens.size() || !tokens.get(p + k).is(words[k])) {
        return false;
      }
    }
    return true;
  }

  boolean done() {
    return p >= tokens.size();
  }

  Token peek() {
    return done() ? null : tokens.get(p);
  }

  void skip() {
    p++;
  }

  /**
   * A possibly schema-qualified name at the cursor, as the bare last part (what the lint keys
   * tables on); null when there is none.
   */
  String name() {
    if (done() || !tokens.get(p).isName()) {
      return null;
    }
    String name = tokens.get(p++).text();
    while (p + 1 < tokens.size() && tokens.get(p).isSymbol(".") && tokens.get(p + 1).isName()) {
      name = tokens.get(p + 1).text();
      p += 2;
    }
    return name;
  }

  /** Names separated by commas: {@code DROP TABLE a, b.c}. */
  List<String> names() {
    List<String> names = new ArrayList<>();
    String n = name();
    while (n != null) {
      names.add(n);
      if (done() || !tokens.get(p).isSymbol(",")) {
        break;
      }
      p++;
      n = name();
    }
    return names;
  }

  /** The rest of the statement cut at top-level commas: ALTER TABLE's actions. */
  List<LintCursor> actions() {
    List<LintCursor> actions = new ArrayList<>();
    int start = p;
    for (int k = p; k <= tokens.size(); k++) {
      if (k == tokens.size() || (tokens.get(k).depth() == 0 && tokens.get(k).isSymbol(","))) {
        if (k > start) {
          actions.add(new LintCursor(tokens.subList(start, k)));
        }
        start = k + 1;
      }
    }
    p = tokens.size();
    return actions;
  }

  /** A keyword anywhere after the cursor at the top level. */
  boolean has(String word) {
    return indexOf(word) >= 0;
  }

  /** Where the top-level keyword sequence starts after the cursor, or -1. */
  int indexOf(String... words) {
    int depth = p < tokens.size() ? tokens.get(p).depth() : 0;
    outer:
    for (int k = p; k + words.length <= tokens.size(); k++) {
      for (int w = 0; w < words.length; w++) {
        Token t = tokens.get(k + w);
        if (t.depth() != depth || !t.is(words[w])) {
          continue outer;
        }
      }
      return k;
    }
    return -1;
  }

  /** A word at any depth after the cursor, such as a function's name in an expression. */
  boolean mentions(String word) {
    for (int k = p; k < tokens.size(); k++) {
      if (tokens.get(k).is(word)) {
        return true;
      }
    }
    return false;
  }

  /** A string constant after the cursor, as written ({@code 'x'}). */
  boolean hasString(String constant) {
    for (int k = p; k < tokens.size(); k++) {
      if (tokens.get(k).kind() == Kind.STRING && tokens.get(k).text().equals(constant)) {
        return true;
      }
    }
    return false;
  }

  /** The tokens from an index {@link #indexOf} gave on. */
  List<Token> from(int index) {
    return tokens.subList(index, tokens.size());
  }

  /** The tokens from the cursor on. */
  List<Token> rest() {
    return tokens.subList(Math.min(p, tokens.size()), tokens.size());
  }
}
