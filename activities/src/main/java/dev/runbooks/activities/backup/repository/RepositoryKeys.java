package dev.runbooks.activities.backup.repository;

/** The shape every repository key has, checked in one place. */
final class RepositoryKeys {
  private RepositoryKeys() {}

  /** {@code key} when it is a relative, {@code /}-separated path without empty or dot segments. */
  static String check(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException(
          "expected a repository key like target/backup/dump.enc, found an empty key");
    }
    if (key.startsWith("/") || key.endsWith("/") || key.contains("\\")) {
      throw new IllegalArgumentException(
          "expected a relative repository key without a leading or trailing / or any \\, found "
              + key);
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(
            "expected a repository key without empty, . or .. segments, found " + key);
      }
    }
    return key;
  }

  /** {@code prefix} when it is empty or could start a valid key. */
  static String checkPrefix(String prefix) {
    if (prefix == null) {
      throw new IllegalArgumentException("expected a key prefix (may be empty), found null");
    }
    if (prefix.startsWith("/") || prefix.contains("\\")) {
      throw new IllegalArgumentException(
          "expected a relative key prefix without a leading / or any \\, found " + prefix);
    }
    String[] segments = prefix.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i];
      boolean last = i == segments.length - 1;
      if ((segment.isEmpty() && !last) || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(
            "expected a key prefix without empty, . or .. segments, found " + prefix);
      }
    }
    return prefix;
  }
}
