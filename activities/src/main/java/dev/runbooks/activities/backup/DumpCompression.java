package dev.runbooks.activities.backup;

import com.github.luben.zstd.util.Native;
import dev.runbooks.activities.backup.crypto.CorruptedBackupException;
import dev.runbooks.workflows.shared.FailureType;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * How a backup's {@code pg_dump -Fc} archive is compressed before it is encrypted, as its manifest
 * records it.
 *
 * <p>Backups are written {@link #ZSTD}: {@code pg_dump --compress=0} streams the archive
 * uncompressed and the worker compresses it with zstd. {@code pg_dump}'s own zlib (level 6) runs in
 * {@code pg_dump}'s single process, and on a small machine it takes the core the server's {@code
 * COPY} and the snapshot's row counts need; zstd at its default level is several times faster and
 * its output about a third the size. Manifests of format 1 have no compression field: their archive
 * read as {@link #PG_DUMP}: compressed by {@code pg_dump} and encrypted as it came.
 */
public enum DumpCompression {
  /** Format 1: the archive as {@code pg_dump -Fc} compressed it; the plaintext is the archive. */
  PG_DUMP("pg_dump"),
  /** The archive written by {@code pg_dump --compress=0}, compressed into one zstd frame. */
  ZSTD("zstd");

  /** zstd's own default level: past it, each level costs much more time for a little less size. */
  static final int ZSTD_LEVEL = 3;

  private final String manifestName;

  DumpCompression(String manifestName) {
    this.manifestName = manifestName;
  }

  /** The value in a manifest's {@code compression} field. */
  public String manifestName() {
    return manifestName;
  }

  /**
   * The compression a manifest names.
   *
   * @throws CorruptedBackupException for a name this version does not know
   */
  public static DumpCompression named(String name) {
    return Arrays.stream(values())
        .filter(c -> c.manifestName.equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new CorruptedBackupException(
                    "the backup manifest names compression "
                        + name
                        + ", which this runbooks version does not know (it knows "
                        + Arrays.stream(values()).map(c -> c.manifestName).toList()
                        + "): restore with the runbooks version that wrote it, or a newer one",
                    null));
  }

  /**
   * Loads zstd's native library (once per JVM; zstd-jni unpacks it into {@code java.io.tmpdir}), so
   * that a worker finds out at its start, not at its first backup.
   *
   * @return why it cannot be loaded, with the fix; empty when it is loaded
   */
  public static Optional<String> loadZstd() {
    try {
      Native.load();
      return Optional.empty();
    } catch (LinkageError | RuntimeException e) {
      return Optional.of(
          "zstd's native library (zstd-jni) could not be loaded from java.io.tmpdir="
              + System.getProperty("java.io.tmpdir")
              + ": "
              + e
              + ". This worker cannot take or restore backups: point -Djava.io.tmpdir at a"
              + " writable directory not mounted noexec, on a Linux, macOS or Windows"
              + " platform zstd-jni ships a library for");
    }
  }

  private static void requireZstd() {
    loadZstd()
        .ifPresent(
            problem -> {
              throw new PermanentBackupException(FailureType.PREFLIGHT_FAILED, problem);
            });
  }

  /** What {@code pg_dump} is told about compression, beside {@code --format=custom}. */
  List<String> pgDumpArguments() {
    return this == ZSTD ? List.of("--compress=0") : List.of();
  }

  /**
   * Compresses what is written into {@code out}; closing the returned stream ends the frame and
   * closes {@code out}.
   */
  OutputStream compressing(OutputStream out) throws IOException {
    if (this == PG_DUMP) {
      return out;
    }
    requireZstd();
    // One frame with its checksum: decompression then proves it read every byte it was given.
    return ZstdStreams.compressing(out, ZSTD_LEVEL);
  }

  /**
   * The archive, decompressed from {@code in}. Closing it frees the decompression's memory and
   * leaves {@code in} open, for its owner to drain and close.
   */
  public InputStream decompressing(InputStream in) throws IOException {
    if (this == ZSTD) {
      requireZstd();
      return ZstdStreams.decompressing(in);
    }
    return new FilterInputStream(in) {
      @Override
      public void close() {
        // in belongs to the caller
      }
    };
  }
}
