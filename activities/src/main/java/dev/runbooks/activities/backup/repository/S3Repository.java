package dev.runbooks.activities.backup.repository;

import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.workflows.shared.FailureType;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * A repository in an S3 bucket (or MinIO, or any S3-compatible store), through the AWS SDK's
 * synchronous client and the AWS default credential chain.
 *
 * <p>Uploads stream part by part, holding at most one part in memory: a stream smaller than one
 * part becomes a single PutObject, a larger one a multipart upload whose parts grow (8 MiB for the
 * first 1,000 parts, doubling every 1,000) so that S3's 10,000 parts cover about 8 TiB, past S3's 5
 * TiB object limit. Memory therefore grows with the dump: 8 MiB for dumps up to 8 GB, 16 MiB up to
 * 24 GB, 64 MiB up to 120 GB. A failed or abandoned upload is aborted, so it leaves no object and
 * no billed parts.
 */
public final class S3Repository implements BackupRepository {
  private static final Logger log = LoggerFactory.getLogger(S3Repository.class);

  static final long DEFAULT_FIRST_PART_SIZE = 8L * 1024 * 1024;
  static final int PARTS_PER_SIZE = 1000;
  static final int MAX_PARTS = 10_000;
  static final long MAX_PART_SIZE = 5L * 1024 * 1024 * 1024;
  private static final int CHUNK = 1024 * 1024;

  private final S3Client s3;
  private final boolean ownsClient;
  private final S3Settings settings;
  private final String keyPrefix;
  private final long firstPartSize;
  private volatile boolean bucketChecked;

  /** A repository with its own client, built from {@code settings}. */
  public static S3Repository open(S3Settings settings) {
    S3ClientBuilder builder =
        S3Client.builder()
            .region(Region.of(settings.region()))
            .httpClientBuilder(Apache5HttpClient.builder())
            .forcePathStyle(settings.pathStyle());
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    return new S3Repository(builder.build(), true, settings, DEFAULT_FIRST_PART_SIZE);
  }

  /** A repository over a client the caller owns (and closes). */
  public S3Repository(S3Client s3, S3Settings settings) {
    this(s3, false, settings, DEFAULT_FIRST_PART_SIZE);
  }

  /** For tests: a small first part size makes a few megabytes a multipart upload. */
  S3Repository(S3Client s3, S3Settings settings, long firstPartSize) {
    this(s3, false, settings, firstPartSize);
  }

  private S3Repository(S3Client s3, boolean ownsClient, S3Settings settings, long firstPartSize) {
    this.s3 = s3;
    this.ownsClient = ownsClient;
    this.settings = settings;
    this.keyPrefix = settings.prefix().isEmpty() ? "" : settings.prefix() + "/";
    this.firstPartSize = firstPartSize;
  }

  /** The size of part {@code partNumber} (1-based): doubling every {@value #PARTS_PER_SIZE}. */
  static long partSize(long firstPartSize, int partNumber) {
    int doublings = (partNumber - 1) / PARTS_PER_SIZE;
    return Math.min(MAX_PART_SIZE, firstPartSize << doublings);
  }

  @Override
  public BackupUpload create(String key) {
    return new S3Upload(key, objectKey(key));
  }

  @Override
  public InputStream open(String key) throws IOException {
    String objectKey = objectKey(key);
    try {
      ResponseInputStream<GetObjectResponse> response =
          s3.getObject(
              r -> r.bucket(settings.bucket()).key(objectKey), ResponseTransformer.toInputStream());
      return new DownloadStream(response, key);
    } catch (SdkException e) {
      throw failure(e, "reading " + key, key);
    }
  }

  @Override
  public Optional<Long> size(String key) throws IOException {
    return head(key).map(HeadObjectResponse::contentLength);
  }

  @Override
  public boolean exists(String key) throws IOException {
    return head(key).isPresent();
  }

  /** The object's metadata, or empty when there is no such object (in an existing bucket). */
  Optional<HeadObjectResponse> head(String key) throws IOException {
    String objectKey = objectKey(key);
    try {
      return Optional.of(s3.headObject(r -> r.bucket(settings.bucket()).key(objectKey)));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        // A HEAD has no body: a missing bucket looks like a missing key. Tell them apart once.
        checkBucket();
        return Optional.empty();
      }
      throw failure(e, "looking up " + key, key);
    } catch (SdkException e) {
      throw failure(e, "looking up " + key, key);
    }
  }

  @Override
  public List<String> list(String prefix) throws IOException {
    String objectPrefix = keyPrefix + RepositoryKeys.checkPrefix(prefix);
    List<String> keys = new ArrayList<>();
    try {
      for (S3Object object :
          s3.listObjectsV2Paginator(r -> r.bucket(settings.bucket()).prefix(objectPrefix))
              .contents()) {
        keys.add(object.key().substring(keyPrefix.length()));
      }
    } catch (SdkException e) {
      throw failure(e, "listing " + prefix, prefix);
    }
    keys.sort(null);
    return keys;
  }

  @Override
  public void put(String key, byte[] small) throws IOException {
    String objectKey = objectKey(key);
    try {
      s3.putObject(putRequest(objectKey), RequestBody.fromBytes(small));
    } catch (SdkException e) {
      throw failure(e, "writing " + key, key);
    }
  }

  @Override
  public byte[] get(String key) throws IOException {
    try (InputStream in = open(key)) {
      long size = ((DownloadStream) in).response.response().contentLength();
      if (size > MAX_SMALL_OBJECT) {
        throw new IllegalArgumentException(
            "expected a small object (a manifest or verdict) at "
                + key
                + " but it has "
                + size
                + " bytes: read it as a stream with open()");
      }
      return in.readAllBytes();
    }
  }

  @Override
  public void delete(String key) throws IOException {
    String objectKey = objectKey(key);
    try {
      s3.deleteObject(r -> r.bucket(settings.bucket()).key(objectKey));
    } catch (SdkException e) {
      throw failure(e, "deleting " + key, key);
    }
  }

  @Override
  public int cleanupIncomplete(String prefix, Instant before) throws IOException {
    String objectPrefix = keyPrefix + RepositoryKeys.checkPrefix(prefix);
    int aborted = 0;
    try {
      for (MultipartUpload upload :
          s3.listMultipartUploadsPaginator(r -> r.bucket(settings.bucket()).prefix(objectPrefix))
              .uploads()) {
        if (upload.initiated() != null && !upload.initiated().isBefore(before)) {
          continue;
        }
        s3.abortMultipartUpload(
            r -> r.bucket(settings.bucket()).key(upload.key()).uploadId(upload.uploadId()));
        log.info(
            "aborted incomplete multipart upload of {} in {} (started {})",
            upload.key(),
            settings.describe(),
            upload.initiated());
        aborted++;
      }
    } catch (SdkException e) {
      throw failure(e, "cleaning up incomplete uploads under " + prefix, prefix);
    }
    return aborted;
  }

  @Override
  public String describe() {
    return settings.describe();
  }

  @Override
  public void close() {
    if (ownsClient) {
      s3.close();
    }
  }

  @Override
  public String toString() {
    return "S3Repository[" + describe() + "]";
  }

  private String objectKey(String key) {
    return keyPrefix + RepositoryKeys.check(key);
  }

  private PutObjectRequest putRequest(String objectKey) {
    PutObjectRequest.Builder put =
        PutObjectRequest.builder().bucket(settings.bucket()).key(objectKey);
    if (settings.sse() != null) {
      put.serverSideEncryption(ServerSideEncryption.fromValue(settings.sse()));
      if (settings.kmsKeyId() != null) {
        put.ssekmsKeyId(settings.kmsKeyId());
      }
    }
    return put.build();
  }

  private CreateMultipartUploadRequest createRequest(String objectKey) {
    CreateMultipartUploadRequest.Builder create =
        CreateMultipartUploadRequest.builder()
            .bucket(settings.bucket())
            .key(objectKey)
            // Parts carry CRC32 checksums (the SDK's default); S3 refuses them unless the upload
            // declares the algorithm up front.
            .checksumAlgorithm(ChecksumAlgorithm.CRC32);
    if (settings.sse() != null) {
      create.serverSideEncryption(ServerSideEncryption.fromValue(settings.sse()));
      if (settings.kmsKeyId() != null) {
        create.ssekmsKeyId(settings.kmsKeyId());
      }
    }
    return create.build();
  }

  private void checkBucket() throws IOException {
    if (bucketChecked) {
      return;
    }
    try {
      s3.headBucket(r -> r.bucket(settings.bucket()));
      bucketChecked = true;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        throw noSuchBucket(e);
      }
      throw failure(e, "checking bucket " + settings.bucket(), "");
    } catch (SdkException e) {
      throw failure(e, "checking bucket " + settings.bucket(), "");
    }
  }

  private PermanentBackupException noSuchBucket(Exception cause) {
    return new PermanentBackupException(
        FailureType.NOT_FOUND,
        "the backup bucket "
            + settings.bucket()
            + " does not exist ("
            + describe()
            + "): create it, or set repository: in the configuration to an existing bucket",
        cause);
  }

  /**
   * Sorts an SDK failure: a permanent one is thrown as a {@link PermanentBackupException} (or
   * {@link ObjectNotFoundException}), a transient one returned as a {@link
   * TransientRepositoryException} for the caller to throw.
   */
  private IOException failure(SdkException e, String doing, String key) {
    if (e instanceof S3Exception s3e) {
      int status = s3e.statusCode();
      String code = s3e.awsErrorDetails() == null ? null : s3e.awsErrorDetails().errorCode();
      String detail = code == null ? "HTTP " + status : code + " (HTTP " + status + ")";
      if ("NoSuchBucket".equals(code)) {
        throw noSuchBucket(e);
      }
      if ("NoSuchKey".equals(code)) {
        throw new ObjectNotFoundException(key, describe());
      }
      if ("NoSuchUpload".equals(code)) {
        return new TransientRepositoryException(
            doing
                + " failed: the multipart upload was aborted meanwhile (by a cleanup of"
                + " incomplete uploads?); the backup will be retried",
            e);
      }
      if (status == 403 || "AccessDenied".equals(code)) {
        throw new PermanentBackupException(
            FailureType.PERMISSION_DENIED,
            doing
                + " in "
                + describe()
                + " was denied: "
                + detail
                + ". Grant the credentials the worker gets from the AWS default chain"
                + " (AWS_PROFILE, AWS_ACCESS_KEY_ID, an instance or pod role) s3:GetObject,"
                + " s3:PutObject, s3:ListBucket, s3:DeleteObject, s3:ListBucketMultipartUploads and"
                + " s3:AbortMultipartUpload on the bucket (and kms:GenerateDataKey, kms:Decrypt for"
                + " sse=aws:kms)",
            e);
      }
      if (status >= 500 || status == 429 || s3e.isThrottlingException()) {
        return new TransientRepositoryException(
            doing + " in " + describe() + " failed with " + detail + "; it will be retried", e);
      }
      String message =
          s3e.awsErrorDetails() == null ? "" : ": " + s3e.awsErrorDetails().errorMessage();
      throw new PermanentBackupException(
          status == 404 ? FailureType.NOT_FOUND : FailureType.BAD_INPUT,
          doing + " in " + describe() + " was refused with " + detail + message,
          e);
    }
    String message = String.valueOf(e.getMessage());
    if (message.contains("Unable to load credentials")) {
      throw new PermanentBackupException(
          FailureType.AUTHENTICATION,
          doing
              + " in "
              + describe()
              + " needs AWS credentials and the default chain found none: set AWS_PROFILE, or"
              + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give the worker an instance or pod"
              + " role",
          e);
    }
    if (untrustedCertificate(e)) {
      throw new PermanentBackupException(
          FailureType.BAD_INPUT,
          doing
              + " in "
              + describe()
              + " failed: the endpoint's TLS certificate is not trusted ("
              + message
              + "): add its CA to the JVM's trust store, or fix the endpoint",
          e);
    }
    // Refused or reset connections, timeouts, DNS hiccups: the SDK has retried already; the
    // activity retries again with its own backoff.
    return new TransientRepositoryException(
        doing + " in " + describe() + " failed: " + message + "; it will be retried", e);
  }

  private static boolean untrustedCertificate(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertificateException
          || t instanceof CertPathBuilderException
          || t instanceof SSLPeerUnverifiedException) {
        return true;
      }
    }
    return false;
  }

  /** An object download that translates SDK failures and does not drain the rest on close. */
  private final class DownloadStream extends FilterInputStream {
    private final ResponseInputStream<GetObjectResponse> response;
    private final String key;
    private boolean finished;

    DownloadStream(ResponseInputStream<GetObjectResponse> response, String key) {
      super(response);
      this.response = response;
      this.key = key;
    }

    @Override
    public int read() throws IOException {
      try {
        int b = in.read();
        finished = b < 0;
        return b;
      } catch (SdkException e) {
        throw failure(e, "reading " + key, key);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        int n = in.read(b, off, len);
        finished = n < 0;
        return n;
      } catch (SdkException e) {
        throw failure(e, "reading " + key, key);
      }
    }

    @Override
    public void close() throws IOException {
      if (!finished) {
        // Otherwise the HTTP client would read the rest of a possibly huge object to reuse the
        // connection.
        response.abort();
      }
      response.close();
    }
  }

  /** A multipart upload fed by a stream, one part buffered at a time. */
  private final class S3Upload extends BackupUpload {
    private final String key;
    private final String objectKey;
    private final List<byte[]> chunks = new ArrayList<>();
    private final List<CompletedPart> parts = new ArrayList<>();
    private long buffered;
    private long written;
    private String uploadId;
    private boolean committed;
    private boolean aborted;

    S3Upload(String key, String objectKey) {
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
        long partSize = partSize(firstPartSize, parts.size() + 1);
        int chunk = (int) (buffered / CHUNK);
        int inChunk = (int) (buffered % CHUNK);
        if (chunk == chunks.size()) {
          chunks.add(new byte[CHUNK]);
        }
        int n = (int) Math.min(Math.min(len, CHUNK - inChunk), partSize - buffered);
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
          s3.putObject(putRequest(objectKey), body());
        } else {
          if (buffered > 0) {
            uploadPart();
          }
          s3.completeMultipartUpload(
              r ->
                  r.bucket(settings.bucket())
                      .key(objectKey)
                      .uploadId(uploadId)
                      .multipartUpload(m -> m.parts(parts)));
        }
        committed = true;
        release();
        log.debug("stored {} ({} bytes, {} parts) in {}", key, written, parts.size(), describe());
      } catch (SdkException e) {
        IOException transientFailure;
        try {
          transientFailure = failure(e, "writing " + key, key);
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
          s3.abortMultipartUpload(
              r -> r.bucket(settings.bucket()).key(objectKey).uploadId(uploadId));
        } catch (SdkException e) {
          // The parts stay billed until someone aborts them: say how.
          log.warn(
              "could not abort the multipart upload {} of {} in {}: {}; cleanupIncomplete (or a"
                  + " bucket lifecycle rule) will remove it",
              uploadId,
              key,
              describe(),
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
      if (partNumber > MAX_PARTS) {
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
          uploadId = s3.createMultipartUpload(createRequest(objectKey)).uploadId();
        }
        UploadPartResponse response =
            s3.uploadPart(
                r ->
                    r.bucket(settings.bucket())
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
          transientFailure = failure(e, "uploading part " + partNumber + " of " + key, key);
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
      byte b = chunks.get((int) (position / CHUNK))[(int) (position % CHUNK)];
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
      int inChunk = (int) (position % CHUNK);
      int n = (int) Math.min(Math.min(len, CHUNK - inChunk), length - position);
      System.arraycopy(chunks.get((int) (position / CHUNK)), inChunk, b, off, n);
      position += n;
      return n;
    }

    @Override
    public int available() {
      return (int) Math.min(Integer.MAX_VALUE, length - position);
    }
  }
}
