package dev.runbooks.activities.pitr;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.runbooks.activities.backup.crypto.CorruptedBackupException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes of a stored WAL object: the magic {@code RBWAL1\n}, the header's length (4 bytes, big
 * endian), the header as JSON ({@link WalObjectHeader}), then the ciphertext of the zstd frame of
 * the file. The header is authenticated as associated data together with the object's key, so
 * neither the header nor a copy of the object under another name passes decryption.
 */
final class WalObjectFormat {
  static final byte[] MAGIC = "RBWAL1\n".getBytes(StandardCharsets.US_ASCII);

  /** A header is a few hundred bytes; anything near this is not a header. */
  private static final int MAX_HEADER = 64 * 1024;

  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
          .build();

  private WalObjectFormat() {}

  static byte[] headerBytes(WalObjectHeader header) {
    try {
      return MAPPER.writeValueAsBytes(header);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not serialise a WAL object header", e);
    }
  }

  /** Writes the magic, the length and the header; the ciphertext follows. */
  static void writeHeader(OutputStream out, byte[] header) throws IOException {
    out.write(MAGIC);
    out.write(ByteBuffer.allocate(4).putInt(header.length).array());
    out.write(header);
  }

  /** The associated data of the object under {@code key} with this header. */
  static byte[] associatedData(String key, byte[] header) {
    byte[] prefix = ("runbooks wal v1 " + key + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] ad = Arrays.copyOf(prefix, prefix.length + header.length);
    System.arraycopy(header, 0, ad, prefix.length, header.length);
    return ad;
  }

  /** A header read, with its raw bytes (for the associated data). */
  record Read(WalObjectHeader header, byte[] raw) {}

  /**
   * Reads the header at the start of {@code in}, leaving {@code in} at the ciphertext.
   *
   * @throws CorruptedBackupException when the object does not start with a readable header
   */
  static Read readHeader(InputStream in, String key) throws IOException {
    DataInputStream data = new DataInputStream(in);
    try {
      byte[] magic = new byte[MAGIC.length];
      data.readFully(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw corrupted(key, "it does not start with the WAL object magic RBWAL1", null);
      }
      int length = data.readInt();
      if (length <= 0 || length > MAX_HEADER) {
        throw corrupted(key, "its header length " + length + " is out of range", null);
      }
      byte[] raw = new byte[length];
      data.readFully(raw);
      WalObjectHeader header;
      try {
        header = MAPPER.readValue(raw, WalObjectHeader.class);
      } catch (JsonProcessingException e) {
        throw corrupted(key, "its header is not valid (" + e.getOriginalMessage() + ")", e);
      }
      if (header.formatVersion() > WalObjectHeader.FORMAT_VERSION) {
        throw corrupted(
            key,
            "it has format version "
                + header.formatVersion()
                + " but this runbooks version reads up to "
                + WalObjectHeader.FORMAT_VERSION
                + " (use the runbooks version that wrote it, or a newer one)",
            null);
      }
      return new Read(header, raw);
    } catch (EOFException e) {
      throw corrupted(key, "it ends inside its header (truncated)", e);
    }
  }

  static CorruptedBackupException corrupted(String key, String why, Throwable cause) {
    return new CorruptedBackupException(
        "the WAL archive object "
            + key
            + " is corrupted: "
            + why
            + "; the WAL it holds cannot be used, so recovery cannot pass this point",
        cause);
  }
}
