package dev.runbooks.worker;

import dev.runbooks.activities.secrets.Secret;
import dev.runbooks.activities.secrets.SecretMetadata;
import dev.runbooks.activities.secrets.SecretStore;
import dev.runbooks.activities.secrets.SecretStoreUnavailableException;
import dev.runbooks.workflows.shared.SecretRef;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A secret store that can be sealed just before its next write reaches it: with a Vault stand-in
 * the stand-in itself is sealed (so the Vault adapter sees HTTP 503); with a real Vault, which a
 * test cannot seal, this store answers as a sealed Vault does.
 */
final class SealableStore implements SecretStore {
  private final SecretStore delegate;
  private final Runnable seal;
  private volatile boolean sealOnNextWrite;
  private volatile boolean sealedHere;

  /**
   * @param seal seals the real store, or null when it cannot be sealed
   */
  SealableStore(SecretStore delegate, Runnable seal) {
    this.delegate = delegate;
    this.seal = seal;
  }

  void sealOnNextWrite() {
    sealOnNextWrite = true;
  }

  /** Unseals what {@link #sealOnNextWrite} sealed here; a stand-in is unsealed by the caller. */
  void unsealHere() {
    sealedHere = false;
  }

  private void check() {
    if (sealedHere) {
      throw new SecretStoreUnavailableException(
          "sealed-store", 503, List.of("Vault is sealed"), "the store is sealed (test)", null);
    }
  }

  @Override
  public Secret read(SecretRef ref) {
    check();
    return delegate.read(ref);
  }

  @Override
  public int write(String path, Map<String, String> data, OptionalInt cas) {
    if (sealOnNextWrite) {
      sealOnNextWrite = false;
      if (seal == null) {
        sealedHere = true;
      } else {
        seal.run();
      }
    }
    check();
    return delegate.write(path, data, cas);
  }

  @Override
  public SecretMetadata metadata(String path) {
    check();
    return delegate.metadata(path);
  }
}
