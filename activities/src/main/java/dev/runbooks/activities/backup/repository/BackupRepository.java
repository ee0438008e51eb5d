package dev.runbooks.activities.backup.repository;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where backups are stored: a local directory or an S3 bucket. Keys are relative, {@code
 * /}-separated paths ({@code orders/20261124T020000/dump.enc}) without {@code .} or {@code ..}
 * segments.
 *
 * <p>Failures: a transient fault (a 503, a refused connection) is an {@link IOException} (retry); a
 * permanent one (access denied, no such bucket) is a {@link
 * dev.runbooks.activities.backup.PermanentBackupException}; a missing key is an {@link
 * ObjectNotFoundException}.
 */
public interface BackupRepository extends AutoCloseable {
  /**
   * Starts writing an object. Nothing is visible under {@code key} until {@link
   * BackupUpload#commit()}; closing the upload without committing removes every trace of it.
   */
  BackupUpload create(String key) throws IOException;

  /** Reads an object as a stream; never loads it whole. */
  InputStream open(String key) throws IOException;

  /** The object's size in bytes, or empty when there is no such object. */
  Optional<Long> size(String key) throws IOException;

  boolean exists(String key) throws IOException;

  /** The keys of committed objects that start with {@code prefix}, sorted. */
  List<String> list(String prefix) throws IOException;

  /** Writes a small object (a manifest, a verdict) atomically. */
  void put(String key, byte[] small) throws IOException;

  /** Reads a small object whole; refuses objects over {@value #MAX_SMALL_OBJECT} bytes. */
  byte[] get(String key) throws IOException;

  /** Deletes an object; deleting a missing object is not an error. */
  void delete(String key) throws IOException;

  /**
   * Removes every incomplete upload under {@code prefix} (a crashed worker's temporary file, an S3
   * multipart upload never completed or aborted): they hold space, and S3 bills for them. Uploads
   * still running under the prefix are removed too: call it for a prefix nobody writes to, or use
   * {@link #cleanupIncomplete(String, Instant)}.
   *
   * @return how many incomplete uploads were removed
   */
  default int cleanupIncomplete(String prefix) throws IOException {
    return cleanupIncomplete(prefix, Instant.MAX);
  }

  /**
   * Removes the incomplete uploads under {@code prefix} that started (S3) or were last written
   * (file) before {@code before}, leaving younger ones, which may still be running, alone.
   *
   * @return how many incomplete uploads were removed
   */
  int cleanupIncomplete(String prefix, Instant before) throws IOException;

  /** Where this repository is, for messages: {@code s3://bucket/prefix}. Never credentials. */
  String describe();

  /** Releases connections; the repository is not used afterwards. */
  @Override
  default void close() {}

  /** The largest object {@link #get} reads. */
  int MAX_SMALL_OBJECT = 16 * 1024 * 1024;
}
