package dev.runbooks.activities.backup.crypto;

import com.google.crypto.tink.Configuration;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig2026;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Envelope encryption of backups: each backup gets a fresh Tink streaming key
 * (AES256_GCM_HKDF_1MB), encrypted ("wrapped") by a {@link KeyEncryptionKey}. The stream is cut
 * into 1 MiB segments, each authenticated on its own, so a flipped byte or a truncation is found
 * while reading and named by segment, and nothing has to be held in memory whole.
 */
public final class BackupCipher {
  private static final Logger log = LoggerFactory.getLogger(BackupCipher.class);

  /** Ciphertext segment size of AES256_GCM_HKDF_1MB. */
  static final int SEGMENT_SIZE = 1 << 20;

  /** Per-segment GCM tag. */
  static final int TAG_SIZE = 16;

  /** Stream header: one length byte, a 32-byte salt, a 7-byte nonce prefix; in segment 0. */
  static final int HEADER_SIZE = 1 + 32 + 7;

  static final long FIRST_SEGMENT_PLAINTEXT = SEGMENT_SIZE - TAG_SIZE - HEADER_SIZE;
  static final long SEGMENT_PLAINTEXT = SEGMENT_SIZE - TAG_SIZE;

  private static final AtomicBoolean warm = new AtomicBoolean();

  private static final long WARM_UP_NANOS = 150_000_000L;
  private static final long WARM_UP_MAX_NANOS = 1_000_000_000L;
  private static final int WARM_UP_MIN_ROUNDS = 3_000;

  /** Tink's 2026 set of streaming key types: no global registry to initialise. */
  private static final Configuration TINK = StreamingAeadConfig2026.get();

  /** Stateless: one instance can serve every backup at once. */
  public BackupCipher() {}

  /** A fresh streaming data key, wrapped by {@code kek}. */
  public DataKey newDataKey(KeyEncryptionKey kek) {
    try {
      KeysetHandle keyset =
          KeysetHandle.generateNew(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB, TINK);
      byte[] plaintext =
          TinkProtoKeysetFormat.serializeKeyset(keyset, InsecureSecretKeyAccess.get(), TINK);
      try {
        byte[] wrapped = kek.wrap(plaintext);
        return new DataKey(
            primitive(keyset),
            new WrappedKey(kek.keyId(), Base64.getEncoder().encodeToString(wrapped)));
      } finally {
        Arrays.fill(plaintext, (byte) 0);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("could not generate a backup data key: " + e.getMessage(), e);
    }
  }

  /**
   * A stream that encrypts what is written to it into {@code sink}. Closing it writes the last,
   * authenticated segment and flushes {@code sink} but does not close it, so the caller can still
   * commit or abort the upload behind it.
   */
  public OutputStream encrypt(OutputStream sink, DataKey key, byte[] associatedData)
      throws IOException {
    try {
      return key.aead().newEncryptingStream(new UnclosableOutputStream(sink), associatedData);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("could not start encrypting: " + e.getMessage(), e);
    }
  }

  /**
   * A stream of the plaintext of {@code source}, which was written by {@link #encrypt} with the
   * data key {@code key} and the same associated data. A segment that fails authentication
   * (modified, truncated, wrong associated data) makes a read throw {@link
   * CorruptedBackupException}; a failure of {@code source} itself comes through unchanged.
   *
   * @throws WrongKeyException when {@code kek} is not the key that wrapped {@code key}
   */
  public InputStream decrypt(
      InputStream source, WrappedKey key, KeyEncryptionKey kek, byte[] associatedData)
      throws IOException {
    byte[] wrapped;
    try {
      wrapped = Base64.getDecoder().decode(key.wrappedBase64());
    } catch (IllegalArgumentException e) {
      throw new CorruptedBackupException(
          "the manifest's wrapped data key is not valid base64: the manifest is corrupted", e);
    }
    byte[] plaintext = kek.unwrap(wrapped, key.kekId());
    StreamingAead aead;
    try {
      aead =
          primitive(
              TinkProtoKeysetFormat.parseKeyset(plaintext, InsecureSecretKeyAccess.get(), TINK));
    } catch (GeneralSecurityException e) {
      throw new CorruptedBackupException(
          "the data key unwrapped by "
              + key.kekId()
              + " is not a valid keyset: the manifest's wrapped key is corrupted",
          e);
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
    SourceGuard guarded = new SourceGuard(source);
    try {
      return new AuthenticatingInputStream(
          aead.newDecryptingStream(guarded, associatedData), guarded);
    } catch (GeneralSecurityException e) {
      throw new CorruptedBackupException(
          "the backup's encrypted stream could not be opened: " + e.getMessage(), 0, e);
    }
  }

  /**
   * Makes the JIT compile the cipher path before a backup streams through it: cold, the stream runs
   * at about 60-110 MB/s, warm at 2-4 GB/s (FACTS.md). The JIT swaps in the AES and GHASH
   * intrinsics only once the JDK's GCM methods have been <em>called</em> some thousands of times,
   * and a 1 MiB segment calls them once or twice; so this makes many tiny AES-GCM calls, the path
   * Tink's segments take: at least {@value #WARM_UP_MIN_ROUNDS} round trips and 150 ms, at most a
   * second. Measured on two idle cores, that took the first 200 MB from 64 MB/s to 2-3 GB/s; on
   * busy cores the compilation itself waits for a core, and the speed comes some seconds later.
   * Once per JVM; later calls return at once.
   */
  public static void warmUp() {
    if (!warm.compareAndSet(false, true)) {
      return;
    }
    long start = System.nanoTime();
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      SecretKeySpec key = new SecretKeySpec(new byte[32], "AES");
      ByteBuffer plaintext = ByteBuffer.allocate(1024);
      ByteBuffer ciphertext = ByteBuffer.allocate(1024 + TAG_SIZE);
      ByteBuffer back = ByteBuffer.allocate(1024);
      byte[] nonce = new byte[12];
      int rounds = 0;
      long elapsed = 0;
      while (elapsed < WARM_UP_MAX_NANOS
          && (elapsed < WARM_UP_NANOS || rounds < WARM_UP_MIN_ROUNDS)) {
        roundTrip(cipher, key, nonce, rounds++, plaintext, ciphertext, back);
        elapsed = System.nanoTime() - start;
      }
      log.debug("cipher warm-up: {} round trips in {} ms", rounds, elapsed / 1_000_000);
    } catch (GeneralSecurityException e) {
      // Only speed is at stake: the backup itself will report a real cipher problem.
      log.warn("cipher warm-up failed, the first backup may run slower: {}", e.toString());
    }
  }

  private static void roundTrip(
      Cipher cipher,
      SecretKeySpec key,
      byte[] nonce,
      int round,
      ByteBuffer plaintext,
      ByteBuffer ciphertext,
      ByteBuffer back)
      throws GeneralSecurityException {
    // A fresh nonce each time: the JDK refuses to encrypt twice under one key and nonce.
    ByteBuffer.wrap(nonce).putInt(round);
    GCMParameterSpec spec = new GCMParameterSpec(TAG_SIZE * 8, nonce);
    cipher.init(Cipher.ENCRYPT_MODE, key, spec);
    plaintext.clear();
    ciphertext.clear();
    cipher.doFinal(plaintext, ciphertext);
    cipher.init(Cipher.DECRYPT_MODE, key, spec);
    ciphertext.flip();
    back.clear();
    cipher.doFinal(ciphertext, back);
  }

  /** The segment (0-based) whose plaintext begins at or before plaintext offset {@code offset}. */
  static long segmentAt(long offset) {
    if (offset < FIRST_SEGMENT_PLAINTEXT) {
      return 0;
    }
    return 1 + (offset - FIRST_SEGMENT_PLAINTEXT) / SEGMENT_PLAINTEXT;
  }

  private static StreamingAead primitive(KeysetHandle keyset) throws GeneralSecurityException {
    return keyset.getPrimitive(TINK, StreamingAead.class);
  }

  /** Lets Tink close its encrypting stream without closing the upload under it. */
  private static final class UnclosableOutputStream extends FilterOutputStream {
    UnclosableOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }

  /** Remembers whether the source itself failed, to tell a network error from corruption. */
  private static final class SourceGuard extends FilterInputStream {
    private IOException failure;

    SourceGuard(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return in.read();
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }
  }

  /** Turns Tink's authentication failures into {@link CorruptedBackupException}s. */
  private static final class AuthenticatingInputStream extends FilterInputStream {
    private final SourceGuard source;
    private long offset;

    AuthenticatingInputStream(InputStream decrypting, SourceGuard source) {
      super(decrypting);
      this.source = source;
    }

    @Override
    public int read() throws IOException {
      try {
        int b = in.read();
        if (b >= 0) {
          offset++;
        }
        return b;
      } catch (IOException e) {
        throw failure(e);
      }
    }

    /**
     * Never reads across a segment boundary in one call: a call that delivered the rest of one
     * segment and then failed on the next would leave {@link #offset} short of the boundary, and
     * the failure would be blamed on the good segment.
     */
    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      int max = (int) Math.min(len, segmentStart(segmentAt(offset) + 1) - offset);
      try {
        int n = in.read(b, off, max);
        if (n > 0) {
          offset += n;
        }
        return n;
      } catch (IOException e) {
        throw failure(e);
      }
    }

    @Override
    public long skip(long n) throws IOException {
      // Skipped bytes must be decrypted (and authenticated) all the same.
      byte[] buffer = new byte[(int) Math.min(64 * 1024, Math.max(n, 1))];
      long skipped = 0;
      while (skipped < n) {
        int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
        if (r < 0) {
          break;
        }
        skipped += r;
      }
      return skipped;
    }

    /** The source's own failure when it failed (retryable), else the corruption Tink found. */
    private IOException failure(IOException e) {
      if (source.failure != null) {
        return source.failure;
      }
      long segment = segmentAt(offset);
      throw new CorruptedBackupException(
          "the backup is corrupted: segment "
              + segment
              + " (plaintext from byte "
              + segmentStart(segment)
              + ") failed authentication after "
              + offset
              + " good bytes; the stored object was modified or truncated, or is not the object"
              + " this manifest describes; restore from another backup",
          segment,
          e);
    }

    private static long segmentStart(long segment) {
      return segment == 0 ? 0 : FIRST_SEGMENT_PLAINTEXT + (segment - 1) * SEGMENT_PLAINTEXT;
    }
  }
}
