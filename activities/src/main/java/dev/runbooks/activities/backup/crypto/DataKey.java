package dev.runbooks.activities.backup.crypto;

import com.google.crypto.tink.StreamingAead;
import java.util.Objects;

/**
 * A fresh data key for one backup: the streaming cipher it drives, and its wrapped form for the
 * manifest. The plaintext key never leaves this object; {@link #toString()} shows only the
 * key-encryption key's id.
 */
public final class DataKey {
  private final StreamingAead aead;
  private final WrappedKey wrapped;

  DataKey(StreamingAead aead, WrappedKey wrapped) {
    this.aead = Objects.requireNonNull(aead, "aead");
    this.wrapped = Objects.requireNonNull(wrapped, "wrapped");
  }

  /** What goes into the manifest. */
  public WrappedKey wrapped() {
    return wrapped;
  }

  StreamingAead aead() {
    return aead;
  }

  @Override
  public String toString() {
    return "DataKey[wrapped by " + wrapped.kekId() + "]";
  }
}
