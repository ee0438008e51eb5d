package dev.runbooks.activities.backup.crypto;

import java.nio.file.Path;

/**
 * Whether a local keyset that does not exist may be made now. A new keyset is safe only while no
 * backup needs another key: made silently in front of existing backups, it hides that their key is
 * gone, and every drill of them fails as if the backups were bad.
 */
@FunctionalInterface
public interface KeysetCreation {
  /** For tools and tests that make a keyset wherever one is missing. */
  KeysetCreation ALWAYS = file -> {};

  /**
   * Returns when {@code file} may be created.
   *
   * @throws dev.runbooks.activities.backup.PermanentBackupException BAD_INPUT, naming the key the
   *     existing backups need, when it may not
   */
  void check(Path file);
}
