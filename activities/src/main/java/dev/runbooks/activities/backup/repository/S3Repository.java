package dev.runbooks.activities.backup.repository;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

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
  static final int CHUNK = 1024 * 1024;

  private final S3Client s3;
  private final boolean ownsClient;
  private final S3Settings settings;
  private final String keyPrefix;
  private final long firstPartSize;
  private final S3Errors errors;
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
    this.errors = new S3Errors(settings.bucket(), describe());
  }

  /** The size of part {@code partNumber} (1-based): doubling every {@value #PARTS_PER_SIZE}. */
  static long partSize(long firstPartSize, int partNumber) {
    int doublings = (partNumber - 1) / PARTS_PER_SIZE;
    return Math.min(MAX_PART_SIZE, firstPartSize << doublings);
  }

  @Override
  public BackupUpload create(String key) {
    return new S3Upload(this, key, objectKey(key));
  }

  @Override
  public InputStream open(String key) throws IOException {
    String objectKey = objectKey(key);
    try {
      ResponseInputStream<GetObjectResponse> response =
          s3.getObject(
              r -> r.bucket(settings.bucket()).key(objectKey), ResponseTransformer.toInputStream());
      return new S3Download(response, key, errors);
    } catch (SdkException e) {
      throw errors.failure(e, "reading " + key, key);
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
      throw errors.failure(e, "looking up " + key, key);
    } catch (SdkException e) {
      throw errors.failure(e, "looking up " + key, key);
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
      throw errors.failure(e, "listing " + prefix, prefix);
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
      throw errors.failure(e, "writing " + key, key);
    }
  }

  @Override
  public byte[] get(String key) throws IOException {
    try (InputStream in = open(key)) {
      long size = ((S3Download) in).contentLength();
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
      throw errors.failure(e, "deleting " + key, key);
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
      throw errors.failure(e, "cleaning up incomplete uploads under " + prefix, prefix);
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

  PutObjectRequest putRequest(String objectKey) {
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

  CreateMultipartUploadRequest createRequest(String objectKey) {
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
        throw errors.noSuchBucket(e);
      }
      throw errors.failure(e, "checking bucket " + settings.bucket(), "");
    } catch (SdkException e) {
      throw errors.failure(e, "checking bucket " + settings.bucket(), "");
    }
  }

  S3Client client() {
    return s3;
  }

  String bucket() {
    return settings.bucket();
  }

  long firstPartSize() {
    return firstPartSize;
  }

  S3Errors errors() {
    return errors;
  }
}
