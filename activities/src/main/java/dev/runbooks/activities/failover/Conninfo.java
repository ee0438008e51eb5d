package dev.runbooks.activities.failover;

import java.util.ArrayList;
import java.util.List;

/**
 * libpq keyword/value connection strings ({@code host=db1 port=5432 user=replicator}), as
 * primary_conninfo holds them: parsed, changed, written back with every other keyword (user,
 * passfile, sslmode, application_name) kept as it was.
 */
final class Conninfo {
  record Pair(String key, String value) {}

  private Conninfo() {}

  /** The same connection string aimed at another server. */
  static String withServer(String conninfo, String host, int port) {
    List<Pair> kept = new ArrayList<>();
    for (Pair p : parse(conninfo)) {
      if (!p.key().equals("host") && !p.key().equals("hostaddr") && !p.key().equals("port")) {
        kept.add(p);
      }
    }
    kept.add(new Pair("host", host));
    kept.add(new Pair("port", Integer.toString(port)));
    return format(kept);
  }

  /** The value of a keyword, or null. */
  static String get(String conninfo, String key) {
    String value = null;
    for (Pair p : parse(conninfo)) {
      if (p.key().equals(key)) {
        value = p.value();
      }
    }
    return value;
  }

  /**
   * Whether the connection string carries a password: the keyword password, or a password in a
   * URI's user information or parameters. When it cannot be parsed, whether it mentions one.
   */
  static boolean hasPassword(String conninfo) {
    String s = conninfo == null ? "" : conninfo.strip();
    int scheme = s.indexOf("://");
    if (s.startsWith("postgres://") || s.startsWith("postgresql://")) {
      int end = s.indexOf('/', scheme + 3);
      String authority = s.substring(scheme + 3, end < 0 ? s.length() : end);
      int at = authority.lastIndexOf('@');
      return (at >= 0 && authority.substring(0, at).contains(":"))
          || s.matches("(?s).*[?&]password=.*");
    }
    try {
      return get(s, "password") != null;
    } catch (IllegalArgumentException e) {
      return s.contains("password");
    }
  }

  static List<Pair> parse(String conninfo) {
    String s = conninfo == null ? "" : conninfo.strip();
    if (s.startsWith("postgres://") || s.startsWith("postgresql://")) {
      throw new IllegalArgumentException(
          "primary_conninfo is a URI; expected keyword=value pairs (host=... port=...)");
    }
    List<Pair> pairs = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      if (i >= s.length()) {
        break;
      }
      int eq = s.indexOf('=', i);
      if (eq < 0) {
        throw new IllegalArgumentException(
            "primary_conninfo has \"" + s.substring(i) + "\" without =; expected keyword=value");
      }
      String key = s.substring(i, eq).strip();
      i = eq + 1;
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      StringBuilder value = new StringBuilder();
      if (i < s.length() && s.charAt(i) == '\'') {
        i++;
        while (i < s.length() && s.charAt(i) != '\'') {
          if (s.charAt(i) == '\\' && i + 1 < s.length()) {
            i++;
          }
          value.append(s.charAt(i++));
        }
        if (i >= s.length()) {
          throw new IllegalArgumentException("primary_conninfo has an unterminated quoted value");
        }
        i++;
      } else {
        while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
          if (s.charAt(i) == '\\' && i + 1 < s.length()) {
            i++;
          }
          value.append(s.charAt(i++));
        }
      }
      pairs.add(new Pair(key, value.toString()));
    }
    return pairs;
  }

  static String format(List<Pair> pairs) {
    List<String> parts = new ArrayList<>();
    for (Pair p : pairs) {
      parts.add(p.key() + "='" + p.value().replace("\\", "\\\\").replace("'", "\\'") + "'");
    }
    return String.join(" ", parts);
  }
}
