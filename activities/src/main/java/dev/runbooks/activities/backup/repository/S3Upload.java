package dev.runbooks.activities.backup.repository;

import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/** A multipart upload fed by a stream, one part buffered at a time. */
final class S3Upload extends BackupUpload {
  private static final Logger log = LoggerFactory.getLogger(S3Upload.class);

  private final S3Repository repository;
  private final S3Client s3;
  private final String bucket;
  private final S3Errors errors;
  private final String key;
  private final String objectKey;
  private final List<byte[]> chunks = new ArrayList<>();
  private final List<CompletedPart> parts = new ArrayList<>();
  private long buffered;
  private long written;
  private String uploadId;
  private boolean committed;
  private boolean aborted;

  S3Upload(S3Repository repository, String key, String objectKey) {
    this.repository = repository;
    this.s3 = repository.client();
    this.bucket = repository.bucket();
    this.errors = repository.errors();
    this.key = key;
    this.objectKey = objectKey;
  }

  @Override
  public String key() {
    return key;
  }

  @Override
  public long bytesWritten() {
    return written;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    checkOpen();
    while (len > 0) {
      long partSize = S3Repository.partSize(repository.firstPartSize(), parts.size() + 1);
      int chunk = (int) (buffered / S3Repository.CHUNK);
      int inChunk = (int) (buffered % S3Repository.CHUNK);
      if (chunk == chunks.size()) {
        chunks.add(new byte[S3Repository.CHUNK]);
      }
      int n = (int) Math.min(Math.min(len, S3Repository.CHUNK - inChunk), partSize - buffered);
      System.arraycopy(b, off, chunks.get(chunk), inChunk, n);
      buffered += n;
      written += n;
      off += n;
      len -= n;
      if (buffered == partSize) {
        uploadPart();
      }
    }
  }

  @Override
  public void commit() throws IOException {
    if (committed) {
      return;
    }
    checkOpen();
    try {
      if (uploadId == null) {
        s3.putObject(repository.putRequest(objectKey), body());
      } else {
        if (buffered > 0) {
          uploadPart();
        }
        s3.completeMultipartUpload(
            r ->
                r.bucket(bucket)
                    .key(objectKey)
                    .uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
      }
      committed = true;
      release();
      log.debug(
          "stored {} ({} bytes, {} parts) in {}",
          key,
          written,
          parts.size(),
          repository.describe());
    } catch (SdkException e) {
      IOException transientFailure;
      try {
        transientFailure = errors.failure(e, "writing " + key, key);
      } catch (RuntimeException permanent) {
        abort();
        throw permanent;
      }
      abort();
      throw transientFailure;
    } catch (IOException | RuntimeException e) {
      abort();
      throw e;
    }
  }

  @Override
  public void abort() throws IOException {
    if (committed || aborted) {
      return;
    }
    aborted = true;
    release();
    if (uploadId != null) {
      try {
        s3.abortMultipartUpload(r -> r.bucket(bucket).key(objectKey).uploadId(uploadId));
      } catch (SdkException e) {
        // The parts stay billed until someone aborts them: say how.
        log.warn(
            "could not abort the multipart upload {} of {} in {}: {}; cleanupIncomplete (or a"
                + " bucket lifecycle rule) will remove it",
            uploadId,
            key,
            repository.describe(),
            e.toString());
      }
    }
  }

  @Override
  public void close() throws IOException {
    abort();
  }

  private void uploadPart() throws IOException {
    int partNumber = parts.size() + 1;
    if (partNumber > S3Repository.MAX_PARTS) {
      abort();
      throw new PermanentBackupException(
          FailureType.BAD_INPUT,
          "the stream for "
              + key
              + " exceeds S3's 10,000 parts ("
              + written
              + " bytes so far): this dump is too large for one S3 object");
    }
    try {
      if (uploadId == null) {
        uploadId = s3.createMultipartUpload(repository.createRequest(objectKey)).uploadId();
      }
      UploadPartResponse response =
          s3.uploadPart(
              r ->
                  r.bucket(bucket)
                      .key(objectKey)
                      .uploadId(uploadId)
                      .partNumber(partNumber)
                      .checksumAlgorithm(ChecksumAlgorithm.CRC32),
              body());
      parts.add(
          CompletedPart.builder()
              .partNumber(partNumber)
              .eTag(response.eTag())
              .checksumCRC32(response.checksumCRC32())
              .build());
      buffered = 0;
    } catch (SdkException e) {
      IOException transientFailure;
      try {
        transientFailure = errors.failure(e, "uploading part " + partNumber + " of " + key, key);
      } catch (RuntimeException permanent) {
        abort();
        throw permanent;
      }
      abort();
      throw transientFailure;
    }
  }

  /** The buffered part, re-readable for the SDK's retries; no copy. */
  private RequestBody body() {
    long length = buffered;
    List<byte[]> snapshot = List.copyOf(chunks);
    return RequestBody.fromContentProvider(
        () -> new ChunkInputStream(snapshot, length), length, "application/octet-stream");
  }

  private void release() {
    chunks.clear();
    buffered = 0;
  }

  private void checkOpen() throws IOException {
    if (committed) {
      throw new IOException("upload of " + key + " was already committed");
    }
    if (aborted) {
      throw new IOException("upload of " + key + " was aborted");
    }
  }

  /** Reads the first {@code length} bytes of a list of chunks. */
  private static final class ChunkInputStream extends InputStream {
    private final List<byte[]> chunks;
    private final long length;
    private long position;

    ChunkInputStream(List<byte[]> chunks, long length) {
      this.chunks = chunks;
      this.length = length;
    }

    @Override
    public int read() {
      if (position >= length) {
        return -1;
      }
      byte b =
          chunks.get((int) (position / S3Repository.CHUNK))[(int) (position % S3Repository.CHUNK)];
      position++;
      return b & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (position >= length) {
        return -1;
      }
      int inChunk = (int) (position % S3Repository.CHUNK);
      int n = (int) Math.min(Math.min(len, S3Repository.CHUNK - inChunk), length - position);
      System.arraycopy(chunks.get((int) (position / S3Repository.CHUNK)), inChunk, b, off, n);
      position += n;
      return n;
    }

    @Override
    public int available() {
      return (int) Math.min(Integer.MAX_VALUE, length - position);
    }
  }
}
