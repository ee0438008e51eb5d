package dev.runbooks.activities.backup.repository;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import dev.runbooks.activities.backup.BackupLayout;
import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.DataKey;
import dev.runbooks.activities.backup.crypto.Digest;
import dev.runbooks.activities.backup.crypto.HashingInputStream;
import dev.runbooks.activities.backup.crypto.HashingOutputStream;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.testing.S3TestClients;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/** The S3 repository against S3Mock, an S3-compatible server running in this JVM. */
class S3RepositoryTest {
  private static final String BUCKET = "backups";
  private static final String KMS_KEY_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
  private static final String KMS_KEY = "arn:aws:kms:us-east-1:111122223333:key/" + KMS_KEY_ID;
  private static final long MIB = 1024 * 1024;

  private static final String SSE = "x-amz-server-side-encryption";
  private static final String SSE_KMS = "x-amz-server-side-encryption-aws-kms-key-id";

  /** The smallest part S3 (and S3Mock) accepts but the last. */
  private static final long PART = 5 * MIB;

  @RegisterExtension
  static final S3MockExtension S3_MOCK =
      S3MockExtension.builder()
          .silent()
          .withSecureConnection(false)
          .withInitialBuckets(BUCKET)
          .withValidKmsKeys(KMS_KEY)
          .build();

  @TempDir Path dir;

  private final Recorder recorder = new Recorder();
  private S3Client s3;
  private String prefix;

  @BeforeEach
  void setUp() {
    s3 = client(URI.create(S3_MOCK.getServiceEndpoint()), recorder);
    // Each test in its own prefix: the server lives for the whole class.
    prefix = "prod-" + System.nanoTime();
  }

  @AfterEach
  void tearDown() {
    s3.close();
  }

  @Test
  void anEncryptedDumpRoundTripsThroughAMultipartUpload() throws IOException {
    S3Repository repository = repository(null, null);
    LocalKeysetKek kek = LocalKeysetKek.open(dir.resolve("kek.json"));
    BackupCipher cipher = new BackupCipher();
    DataKey key = cipher.newDataKey(kek);
    String dumpKey = BackupLayout.dumpKey("orders", "20261124T020000");
    byte[] ad = BackupLayout.associatedData("orders", "20261124T020000");
    long size = 15 * MIB + 12_345;

    Digest plaintext;
    Digest ciphertext;
    try (BackupUpload upload = repository.create(dumpKey)) {
      HashingOutputStream ciphertextHash = new HashingOutputStream(upload);
      HashingOutputStream plaintextHash =
          new HashingOutputStream(cipher.encrypt(ciphertextHash, key, ad));
      try (plaintextHash) {
        generate(plaintextHash, size, 42);
      }
      upload.commit();
      plaintext = plaintextHash.digest();
      ciphertext = ciphertextHash.digest();
    }

    // 5 MiB parts (S3's minimum, which S3Mock enforces): four of them, the last one short.
    assertEquals(1, recorder.count("CreateMultipartUploadRequest"));
    assertEquals(4, recorder.count("UploadPartRequest"));
    assertEquals(1, recorder.count("CompleteMultipartUploadRequest"));
    assertEquals(0, recorder.count("PutObjectRequest"));
    assertEquals(Optional.of(ciphertext.bytes()), repository.size(dumpKey));

    try (HashingInputStream stored = new HashingInputStream(repository.open(dumpKey));
        HashingInputStream restored =
            new HashingInputStream(cipher.decrypt(stored, key.wrapped(), kek, ad))) {
      assertEquals(plaintext, restored.drain());
      assertEquals(ciphertext, stored.digest());
    }
    assertEquals(size, plaintext.bytes());
    assertEquals(List.of(dumpKey), repository.list("orders/"));
  }

  @Test
  void aSmallObjectIsASinglePut() throws IOException {
    S3Repository repository = repository(null, null);
    try (BackupUpload upload = repository.create("orders/1/dump.enc")) {
      upload.write(new byte[1000]);
      upload.commit();
    }
    repository.put("orders/1/manifest.json", bytes("{\"formatVersion\": 1}"));

    assertEquals(2, recorder.count("PutObjectRequest"));
    assertEquals(0, recorder.count("CreateMultipartUploadRequest"));
    assertArrayEquals(bytes("{\"formatVersion\": 1}"), repository.get("orders/1/manifest.json"));
    assertEquals(Optional.of(1000L), repository.size("orders/1/dump.enc"));
  }

  @Test
  void partsGrowSoTenThousandCoverTerabytes() {
    long first = S3Repository.DEFAULT_FIRST_PART_SIZE;
    assertEquals(8 * MIB, S3Repository.partSize(first, 1));
    assertEquals(8 * MIB, S3Repository.partSize(first, 1000));
    assertEquals(16 * MIB, S3Repository.partSize(first, 1001));
    assertEquals(4096 * MIB, S3Repository.partSize(first, 10_000));
    long total = 0;
    for (int part = 1; part <= S3Repository.MAX_PARTS; part++) {
      total += S3Repository.partSize(first, part);
    }
    assertTrue(total > 8L * 1000 * 1000 * 1000 * 1000, "10,000 parts hold " + total + " bytes");
  }

  @Test
  void abortLeavesNoObjectAndNoParts() throws IOException {
    S3Repository repository = repository(null, null);
    BackupUpload upload = repository.create("orders/1/dump.enc");
    upload.write(new byte[(int) (2 * PART + 100)]);
    assertEquals(2, recorder.count("UploadPartRequest"));
    assertEquals(1, multipartUploads().size());

    upload.abort();

    assertEquals(1, recorder.count("AbortMultipartUploadRequest"));
    assertEquals(List.of(), multipartUploads());
    assertFalse(repository.exists("orders/1/dump.enc"));
    assertEquals(List.of(), repository.list(""));
  }

  @Test
  void closingWithoutCommitAbortsToo() throws IOException {
    S3Repository repository = repository(null, null);
    assertThrows(
        IllegalStateException.class,
        () -> {
          try (BackupUpload upload = repository.create("orders/1/dump.enc")) {
            upload.write(new byte[(int) (PART + 1)]);
            throw new IllegalStateException("pg_dump exited with 1");
          }
        });
    assertEquals(List.of(), multipartUploads());
    assertEquals(List.of(), repository.list(""));
  }

  @Test
  void sendsServerSideEncryptionAes256() throws IOException {
    S3Repository repository = repository("AES256", null);
    writeMultipart(repository, "orders/1/dump.enc");
    repository.put("orders/1/manifest.json", bytes("{}"));

    assertEquals(
        ServerSideEncryption.AES256,
        repository.head("orders/1/manifest.json").orElseThrow().serverSideEncryption());
    // S3 takes a multipart object's encryption from CreateMultipartUpload only (and refuses the
    // header on parts); S3Mock confirms it in the CompleteMultipartUpload response.
    assertEquals(List.of("AES256"), recorder.header("CreateMultipartUploadRequest", SSE));
    assertEquals(List.of(), recorder.header("UploadPartRequest", SSE));
    assertEquals(ServerSideEncryption.AES256, recorder.completed().get(0).serverSideEncryption());
  }

  @Test
  void sendsServerSideEncryptionWithAKmsKey() throws IOException {
    // S3Mock checks the key id, the part of the ARN after "key/".
    S3Repository repository = repository("aws:kms", KMS_KEY_ID);
    writeMultipart(repository, "orders/1/dump.enc");
    repository.put("orders/1/manifest.json", bytes("{}"));

    HeadObjectResponse head = repository.head("orders/1/manifest.json").orElseThrow();
    assertEquals(ServerSideEncryption.AWS_KMS, head.serverSideEncryption());
    assertTrue(head.ssekmsKeyId().endsWith(KMS_KEY_ID), head.ssekmsKeyId());
    assertEquals(List.of("aws:kms"), recorder.header("CreateMultipartUploadRequest", SSE));
    assertEquals(List.of(KMS_KEY_ID), recorder.header("CreateMultipartUploadRequest", SSE_KMS));
    assertEquals(List.of(), recorder.header("UploadPartRequest", SSE));
    assertEquals(ServerSideEncryption.AWS_KMS, recorder.completed().get(0).serverSideEncryption());
  }

  @Test
  void cleanupAbortsAnOrphanedMultipartUpload() throws IOException {
    S3Repository repository = repository(null, null);
    // A worker that died mid-upload: parts stored, never completed nor aborted.
    String orphan =
        s3.createMultipartUpload(r -> r.bucket(BUCKET).key(prefix + "/orders/1/dump.enc"))
            .uploadId();
    s3.uploadPart(
        r -> r.bucket(BUCKET).key(prefix + "/orders/1/dump.enc").uploadId(orphan).partNumber(1),
        RequestBody.fromBytes(new byte[1000]));
    String elsewhere =
        s3.createMultipartUpload(r -> r.bucket(BUCKET).key(prefix + "/billing/1/dump.enc"))
            .uploadId();

    assertEquals(1, repository.cleanupIncomplete("orders/"));

    assertEquals(
        List.of(elsewhere), multipartUploads().stream().map(MultipartUpload::uploadId).toList());
    assertEquals(1, repository.cleanupIncomplete(""));
    assertEquals(List.of(), multipartUploads());
  }

  @Test
  void aMissingKeyIsNotFound() throws IOException {
    S3Repository repository = repository(null, null);
    ObjectNotFoundException e =
        assertThrows(ObjectNotFoundException.class, () -> repository.open("orders/1/dump.enc"));
    assertTrue(e.getMessage().contains("orders/1/dump.enc"), e.getMessage());
    assertTrue(e.getMessage().contains("s3://" + BUCKET + "/" + prefix), e.getMessage());
    assertFalse(repository.exists("orders/1/dump.enc"));
    assertEquals(Optional.empty(), repository.size("orders/1/dump.enc"));
    repository.delete("orders/1/dump.enc");
  }

  @Test
  void aMissingBucketIsPermanentAndSaysSo() {
    S3Repository repository =
        new S3Repository(
            s3,
            new S3Settings("no-such-bucket", "", "us-east-1", endpoint(), true, null, null),
            PART);
    for (ThrowingCall call :
        List.<ThrowingCall>of(
            () -> repository.exists("orders/1/manifest.json"),
            () -> repository.put("orders/1/manifest.json", bytes("{}")),
            () -> repository.list("orders/"))) {
      PermanentBackupException e = assertThrows(PermanentBackupException.class, call::run);
      assertEquals(FailureType.NOT_FOUND, e.type());
      assertTrue(e.getMessage().contains("no-such-bucket does not exist"), e.getMessage());
    }
  }

  @Test
  void aRefusedConnectionIsTransient() throws IOException {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    URI nowhere = URI.create("http://127.0.0.1:" + closedPort);
    try (S3Client unreachable = client(nowhere, new Recorder())) {
      S3Repository repository =
          new S3Repository(
              unreachable,
              new S3Settings(BUCKET, "prod", "us-east-1", nowhere, true, null, null),
              PART);
      IOException e =
          assertThrows(IOException.class, () -> repository.exists("orders/1/manifest.json"));
      assertInstanceOf(TransientRepositoryException.class, e);
      assertTrue(e.getMessage().contains("will be retried"), e.getMessage());
    }
  }

  @Test
  void opensFromAUriWithTheEndpointAndCredentialsFromTheEnvironment() throws Exception {
    // The AWS default chain reads these system properties before the environment.
    System.setProperty("aws.accessKeyId", "test-access-key");
    System.setProperty("aws.secretAccessKey", "test-secret-key");
    try (BackupRepository repository =
        BackupRepositories.open(
            "s3://" + BUCKET + "/" + prefix + "/",
            Map.of("AWS_ENDPOINT_URL", endpoint().toString()))) {
      assertEquals("s3://" + BUCKET + "/" + prefix + " at " + endpoint(), repository.describe());
      repository.put("orders/1/manifest.json", bytes("{}"));
      assertEquals(List.of("orders/1/manifest.json"), repository.list(""));
      assertTrue(
          s3.headObject(r -> r.bucket(BUCKET).key(prefix + "/orders/1/manifest.json"))
                  .contentLength()
              == 2);
    } finally {
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
    }
  }

  private interface ThrowingCall {
    void run() throws Exception;
  }

  private S3Repository repository(String sse, String kmsKeyId) {
    return new S3Repository(
        s3, new S3Settings(BUCKET, prefix, "us-east-1", endpoint(), true, sse, kmsKeyId), PART);
  }

  private static URI endpoint() {
    return URI.create(S3_MOCK.getServiceEndpoint());
  }

  private void writeMultipart(S3Repository repository, String key) throws IOException {
    try (BackupUpload upload = repository.create(key)) {
      upload.write(new byte[(int) (PART + 10)]);
      upload.commit();
    }
    assertTrue(recorder.count("UploadPartRequest") >= 2);
  }

  private List<MultipartUpload> multipartUploads() {
    return s3.listMultipartUploads(r -> r.bucket(BUCKET).prefix(prefix + "/")).uploads();
  }

  private static S3Client client(URI endpoint, Recorder recorder) {
    return S3TestClients.builder(endpoint)
        .overrideConfiguration(c -> c.addExecutionInterceptor(recorder))
        .build();
  }

  private static void generate(OutputStream out, long size, long seed) throws IOException {
    Random random = new Random(seed);
    byte[] block = new byte[64 * 1024];
    for (long written = 0; written < size; ) {
      random.nextBytes(block);
      int n = (int) Math.min(block.length, size - written);
      out.write(block, 0, n);
      written += n;
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Which S3 operations a client sent, with which headers, and how multipart uploads ended. */
  private static final class Recorder implements ExecutionInterceptor {
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<Map.Entry<String, SdkHttpRequest>> sent = new CopyOnWriteArrayList<>();
    private final List<CompleteMultipartUploadResponse> completed = new CopyOnWriteArrayList<>();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      requests.add(context.request().getClass().getSimpleName());
    }

    @Override
    public void beforeTransmission(
        Context.BeforeTransmission context, ExecutionAttributes attributes) {
      sent.add(Map.entry(context.request().getClass().getSimpleName(), context.httpRequest()));
    }

    @Override
    public void afterUnmarshalling(
        Context.AfterUnmarshalling context, ExecutionAttributes attributes) {
      if (context.response() instanceof CompleteMultipartUploadResponse response) {
        completed.add(response);
      }
    }

    long count(String request) {
      return requests.stream().filter(request::equals).count();
    }

    /** The distinct values of a header across every request of one kind. */
    List<String> header(String request, String header) {
      return sent.stream()
          .filter(e -> e.getKey().equals(request))
          .flatMap(e -> e.getValue().firstMatchingHeader(header).stream())
          .distinct()
          .toList();
    }

    List<CompleteMultipartUploadResponse> completed() {
      return completed;
    }
  }
}
