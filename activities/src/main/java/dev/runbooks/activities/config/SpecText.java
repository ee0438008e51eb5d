package dev.runbooks.activities.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The one place a spec's text is taken apart: {@code scheme:rest}, and a path in the rest resolved
 * against the configuration's directory.
 */
final class SpecText {
  /** A Vault KV mount: {@code secret}, {@code kv}, {@code team/kv}. */
  static final Pattern KV_MOUNT = Pattern.compile("[A-Za-z0-9_/-]+");

  private SpecText() {}

  /** The part before the first colon, or the whole text when it has none. */
  static String scheme(String written) {
    int colon = written.indexOf(':');
    return colon < 0 ? written : written.substring(0, colon);
  }

  /** The part after the first colon, or null when there is none. */
  static String rest(String written) {
    int colon = written.indexOf(':');
    return colon < 0 ? null : written.substring(colon + 1);
  }

  /** The part after {@code //} in {@code rest}, or null when {@code rest} is not of that form. */
  static String afterSlashes(String rest) {
    return rest != null && rest.length() >= 2 && rest.charAt(0) == '/' && rest.charAt(1) == '/'
        ? rest.substring(2)
        : null;
  }

  /**
   * A path as written, resolved against {@code base} (left as written when {@code base} is null).
   *
   * @throws InvalidSpecException when it is empty or not a path on this system
   */
  static Path path(String written, Path base) {
    if (written.isBlank()) {
      throw new InvalidSpecException("the path is empty", "write the path after the prefix.");
    }
    try {
      return base == null ? Path.of(written) : base.resolve(written).normalize();
    } catch (InvalidPathException e) {
      throw new InvalidSpecException(
          "\"" + written + "\" is not a path: " + e.getReason(), "fix the path.");
    }
  }
}
