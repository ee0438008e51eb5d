package dev.runbooks.activities.secrets;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One version of a secret. Its {@link #toString} shows the path, the version and the keys, never
 * the values, so that a secret that reaches a log line or an exception message reveals nothing.
 */
public record Secret(String path, int version, Map<String, String> data) {
  public Secret {
    Objects.requireNonNull(path, "path");
    data = Collections.unmodifiableMap(new TreeMap<>(data));
  }

  /**
   * The value of {@code key}.
   *
   * @throws SecretStoreException naming the path, the version and the keys it does have (never a
   *     value) when the key is missing
   */
  public String require(String key) {
    String value = data.get(key);
    if (value == null) {
      throw new SecretStoreException(
          "secret "
              + path
              + " (version "
              + version
              + ") has no key \""
              + key
              + "\"; it has the keys "
              + data.keySet()
              + ". Fix: write a new version of "
              + path
              + " that includes "
              + key
              + ".");
    }
    return value;
  }

  @Override
  public String toString() {
    return "Secret[path=" + path + ", version=" + version + ", keys=" + data.keySet() + "]";
  }
}
