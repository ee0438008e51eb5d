package dev.runbooks.worker;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.backup.crypto.WrongKeyException;
import io.temporal.api.common.v1.Payload;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts every Temporal payload (inputs, results, heartbeat details, query answers) with AES-GCM,
 * so whoever reads the Temporal service's database or its UI without the key sees no target, row
 * count or path. Each process makes one data key, wrapped by the backups' key-encryption key; the
 * key's id and the wrapped data key travel in the payload's metadata, so a payload decodes in any
 * process holding that key-encryption key (or, after a rotation, a keyset that still holds it). A
 * payload without the encrypted encoding, as every one recorded before this codec, passes through.
 */
public final class PayloadEncryption implements PayloadCodec {
  public static final String ENCODING = "binary/encrypted";
  public static final String KEY_ID = "encryption-key-id";
  public static final String DATA_KEY = "encryption-data-key";

  private static final String METADATA_ENCODING = "encoding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final byte[] ASSOCIATED_DATA =
      "runbooks temporal payload v1".getBytes(StandardCharsets.UTF_8);
  private static final int MAX_CACHED_KEYS = 256;

  private final KeyEncryptionKey kek;
  private final SecureRandom random = new SecureRandom();
  private final Map<ByteString, SecretKeySpec> unwrapped = new ConcurrentHashMap<>();
  private volatile Current current;

  private record Current(String kekId, ByteString wrapped, SecretKeySpec key) {}

  public PayloadEncryption(KeyEncryptionKey kek) {
    this.kek = kek;
  }

  @Override
  public List<Payload> encode(List<Payload> payloads) {
    Current key = current();
    return payloads.stream().map(p -> encrypt(p, key)).toList();
  }

  @Override
  public List<Payload> decode(List<Payload> payloads) {
    return payloads.stream().map(this::decrypt).toList();
  }

  private Payload encrypt(Payload payload, Current key) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] sealed = crypt(Cipher.ENCRYPT_MODE, key.key(), nonce, payload.toByteArray());
    byte[] data = new byte[NONCE_BYTES + sealed.length];
    System.arraycopy(nonce, 0, data, 0, NONCE_BYTES);
    System.arraycopy(sealed, 0, data, NONCE_BYTES, sealed.length);
    return Payload.newBuilder()
        .putMetadata(METADATA_ENCODING, ByteString.copyFromUtf8(ENCODING))
        .putMetadata(KEY_ID, ByteString.copyFromUtf8(key.kekId()))
        .putMetadata(DATA_KEY, key.wrapped())
        .setData(ByteString.copyFrom(data))
        .build();
  }

  private Payload decrypt(Payload payload) {
    ByteString encoding = payload.getMetadataMap().get(METADATA_ENCODING);
    if (encoding == null || !encoding.toStringUtf8().equals(ENCODING)) {
      return payload;
    }
    ByteString kekId = payload.getMetadataMap().get(KEY_ID);
    ByteString wrapped = payload.getMetadataMap().get(DATA_KEY);
    byte[] data = payload.getData().toByteArray();
    if (kekId == null || wrapped == null || data.length < NONCE_BYTES) {
      throw new PayloadCodecException(
          "an encrypted payload lacks its key id or data key: it was not written by runbooks'"
              + " payload codec, or was cut; nothing can decrypt it");
    }
    SecretKeySpec key = dataKey(kekId.toStringUtf8(), wrapped);
    byte[] plain =
        crypt(
            Cipher.DECRYPT_MODE,
            key,
            Arrays.copyOf(data, NONCE_BYTES),
            Arrays.copyOfRange(data, NONCE_BYTES, data.length));
    try {
      return Payload.parseFrom(plain);
    } catch (InvalidProtocolBufferException e) {
      throw new PayloadCodecException("a decrypted payload is not a Temporal payload", e);
    }
  }

  private SecretKeySpec dataKey(String kekId, ByteString wrapped) {
    SecretKeySpec cached = unwrapped.get(wrapped);
    if (cached != null) {
      return cached;
    }
    byte[] plain;
    try {
      plain = kek.unwrap(wrapped.toByteArray(), kekId);
    } catch (WrongKeyException e) {
      throw new PayloadCodecException(
          "a payload is encrypted with key-encryption key "
              + e.neededKeyId()
              + ", but this process has "
              + e.configuredKeyId()
              + ": set encryption: in the configuration to a key that holds "
              + e.neededKeyId()
              + " (after a rotation keep the old key in the keyset)",
          e);
    }
    SecretKeySpec key = new SecretKeySpec(plain, "AES");
    Arrays.fill(plain, (byte) 0);
    if (unwrapped.size() >= MAX_CACHED_KEYS) {
      unwrapped.clear();
    }
    unwrapped.put(wrapped, key);
    return key;
  }

  /** This process's data key, made and wrapped on the first payload. */
  private Current current() {
    Current key = current;
    if (key == null) {
      synchronized (this) {
        key = current;
        if (key == null) {
          byte[] plain = new byte[32];
          random.nextBytes(plain);
          SecretKeySpec spec = new SecretKeySpec(plain, "AES");
          ByteString wrapped = ByteString.copyFrom(kek.wrap(plain));
          Arrays.fill(plain, (byte) 0);
          key = new Current(kek.keyId(), wrapped, spec);
          unwrapped.put(wrapped, spec);
          current = key;
        }
      }
    }
    return key;
  }

  private static byte[] crypt(int mode, SecretKeySpec key, byte[] nonce, byte[] input) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(ASSOCIATED_DATA);
      return cipher.doFinal(input);
    } catch (GeneralSecurityException e) {
      throw new PayloadCodecException(
          mode == Cipher.DECRYPT_MODE
              ? "an encrypted payload does not authenticate with its data key: it was modified"
              : "could not encrypt a payload: " + e.getMessage(),
          e);
    }
  }
}
