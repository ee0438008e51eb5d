package dev.runbooks.activities.secrets;

import dev.runbooks.workflows.shared.SecretRef;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Versioned secrets, the port activities resolve {@link SecretRef}s through. Adapters: {@link
 * FileSecretStore} ({@code file://}) and {@link VaultSecretStore} (Vault KV version 2; {@code
 * vault}). Every version of a secret is kept; a write adds one. Implementations never put secret
 * values into logs or exception messages.
 *
 * <p>All failures are unchecked {@link SecretStoreException}s: {@link SecretNotFoundException} for
 * a missing path or version, {@link SecretConflictException} when a check-and-set write finds
 * another version than it expected, {@link SecretStoreAccessDeniedException} when the store refuses
 * the caller's credentials (permanent), {@link SecretStoreUnavailableException} when it cannot be
 * reached or cannot answer now (transient: retry).
 */
public interface SecretStore {
  /**
   * One version of a secret: the one {@code ref} names, or the latest when its version is null.
   *
   * @throws SecretNotFoundException when the path or that version does not exist
   */
  Secret read(SecretRef ref);

  /**
   * Adds a version to a secret, creating the secret if needed.
   *
   * @param path a path valid for {@link SecretRef#validatePath}
   * @param data the secret's keys and values, such as {@code username} and {@code password}
   * @param cas when present, the version the caller expects to be current: 0 means the secret must
   *     not exist yet. Empty writes unconditionally.
   * @return the new version's number (1 for a new secret)
   * @throws SecretConflictException when {@code cas} does not match the current version
   */
  int write(String path, Map<String, String> data, OptionalInt cas);

  /**
   * The versions of a secret, without their values.
   *
   * @throws SecretNotFoundException when the path does not exist
   */
  SecretMetadata metadata(String path);
}
