package dev.runbooks.workflows.shared;

import java.util.Objects;

/**
 * A reference to a secret in the secret store: what workflows carry instead of a value. Activities
 * resolve it; its value never enters a Temporal payload.
 *
 * <p>The written form is {@code db/orders/admin} (the latest version) or {@code db/orders/admin@3}
 * (version 3); {@link #parse} reads it and {@link #toString} writes it.
 *
 * @param path slash-separated segments of {@code [A-Za-z0-9._-]}
 * @param version a positive version number, or null for the latest
 */
public record SecretRef(String path, Integer version) {
  public SecretRef {
    Objects.requireNonNull(path, "path");
  }

  /** The latest version of {@code path}. */
  public static SecretRef latest(String path) {
    return new SecretRef(validatePath(path), null);
  }

  /**
   * Reads {@code path} or {@code path@version}.
   *
   * @throws IllegalArgumentException naming what is wrong with a malformed reference
   */
  public static SecretRef parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException(
          "a secret reference is empty; expected a path such as db/orders/admin or"
              + " db/orders/admin@3");
    }
    int at = text.indexOf('@');
    if (at < 0) {
      return new SecretRef(validatePath(text), null);
    }
    String path = text.substring(0, at);
    String version = text.substring(at + 1);
    validatePath(path);
    if (version.isEmpty() || !version.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException(
          "secret reference \""
              + text
              + "\" has version \""
              + version
              + "\"; expected a positive whole number after @, as in "
              + path
              + "@3, or no @ for the latest version");
    }
    int number;
    try {
      number = Integer.parseInt(version);
    } catch (NumberFormatException e) {
      number = 0;
    }
    if (number <= 0) {
      throw new IllegalArgumentException(
          "secret reference \""
              + text
              + "\" has version "
              + version
              + "; expected a positive whole number (1 to "
              + Integer.MAX_VALUE
              + "), or no @ for the latest version");
    }
    return new SecretRef(path, number);
  }

  /**
   * Checks a secret path: non-empty segments of {@code [A-Za-z0-9._-]} separated by single slashes,
   * none of them {@code .} or {@code ..}. Stores call this before touching a path.
   *
   * @return {@code path}
   * @throws IllegalArgumentException naming what is wrong
   */
  public static String validatePath(String path) {
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException(
          "a secret path is empty; expected slash-separated names such as db/orders/admin");
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      boolean allowed =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-'
              || c == '/';
      if (!allowed) {
        String shown = Character.isWhitespace(c) ? "a space" : "\"" + c + "\"";
        throw new IllegalArgumentException(
            "secret path \""
                + path
                + "\" contains "
                + shown
                + " at position "
                + (i + 1)
                + "; only letters, digits, '.', '_', '-' and '/' are allowed");
      }
    }
    if (path.startsWith("/") || path.endsWith("/")) {
      throw new IllegalArgumentException(
          "secret path \""
              + path
              + "\" starts or ends with '/'; expected a relative path such as db/orders/admin");
    }
    if (path.contains("//")) {
      throw new IllegalArgumentException(
          "secret path \"" + path + "\" contains an empty segment (\"//\"); use single slashes");
    }
    for (String segment : path.split("/")) {
      if (segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(
            "secret path \""
                + path
                + "\" contains a \""
                + segment
                + "\" segment; name the secret"
                + " by its full path without . or ..");
      }
    }
    return path;
  }

  /** The written form, {@code path} or {@code path@version}, which {@link #parse} reads back. */
  @Override
  public String toString() {
    return version == null ? path : path + "@" + version;
  }
}
