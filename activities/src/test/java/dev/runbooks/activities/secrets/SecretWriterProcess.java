package dev.runbooks.activities.secrets;

import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Run as its own JVM by {@link FileSecretStoreTest}: writes {@code count} versions of one secret,
 * so that two such processes race on the same file.
 */
public final class SecretWriterProcess {
  private SecretWriterProcess() {}

  public static void main(String[] args) {
    FileSecretStore store = new FileSecretStore(Path.of(args[0]));
    String writer = args[1];
    int count = Integer.parseInt(args[2]);
    for (int i = 0; i < count; i++) {
      store.write(
          "shared/secret", Map.of("writer", writer, "n", Integer.toString(i)), OptionalInt.empty());
    }
  }
}
