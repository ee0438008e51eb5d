package dev.runbooks.activities.backup;

import static dev.runbooks.activities.backup.Harness.backup;
import static dev.runbooks.activities.backup.Harness.count;
import static dev.runbooks.activities.backup.Harness.drill;
import static dev.runbooks.activities.backup.Harness.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.repository.S3Repository;
import dev.runbooks.activities.backup.repository.S3Settings;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.activities.testing.S3TestClients;
import dev.runbooks.workflows.backup.BackupSummary;
import dev.runbooks.workflows.backup.Comparison;
import dev.runbooks.workflows.backup.DrillRequest;
import dev.runbooks.workflows.backup.RetentionPolicy;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * Backups and drills through an S3 repository (S3Mock, an S3-compatible server in this JVM): the
 * round trip, a killed attempt's multipart upload removed before the retry, and an unreachable
 * repository that Temporal retries.
 */
class BackupOnS3Test {
  private static final String BUCKET = "backups";

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.newPrimary();

  @RegisterExtension
  static final S3MockExtension S3_MOCK =
      S3MockExtension.builder()
          .silent()
          .withSecureConnection(false)
          .withInitialBuckets(BUCKET)
          .build();

  static final Map<String, String> TARGETS = Map.of("shop", "shop");

  @TempDir Path dir;

  private S3Client s3;
  private String prefix;
  private S3Repository repository;
  private LocalKeysetKek kek;
  private Harness harness;

  @BeforeAll
  static void databases() throws Exception {
    SampleDatabases.createShop(pg.primary(), "shop");
    BackupCipher.warmUp();
  }

  @BeforeEach
  void setUp() {
    s3 = client(URI.create(S3_MOCK.getServiceEndpoint()));
    prefix = "prod-" + System.nanoTime();
    repository = repository(URI.create(S3_MOCK.getServiceEndpoint()));
    kek = LocalKeysetKek.open(dir.resolve("kek.json"));
    harness = harness(repository);
  }

  @AfterEach
  void tearDown() {
    harness.close();
    s3.close();
  }

  private Harness harness(S3Repository repo) {
    return new Harness(
        new ClusterConnections(pg.primary(), TARGETS),
        new FixedTargets(TARGETS.keySet(), repo, RetentionPolicy.keepEverything(), null),
        kek,
        kek,
        pg.primary().binaries(),
        Clock.systemUTC());
  }

  private S3Repository repository(URI endpoint) {
    return repository(s3, endpoint);
  }

  private S3Repository repository(S3Client client, URI endpoint) {
    return new S3Repository(
        client, new S3Settings(BUCKET, prefix, "us-east-1", endpoint, true, null, null));
  }

  @Test
  void aBackupOnS3RestoresAndMatchesItsManifest() throws Exception {
    String id = "20261124T020000Z-s3";
    BackupSummary summary = harness.backups.dumpDatabase(backup("shop", id));

    assertEquals(
        "s3://" + BUCKET + "/" + prefix + "/shop/" + id + " at " + S3_MOCK.getServiceEndpoint(),
        summary.location());
    assertEquals(
        List.of(prefix + "/shop/" + id + "/dump.enc", prefix + "/shop/" + id + "/manifest.json"),
        s3.listObjectsV2(r -> r.bucket(BUCKET).prefix(prefix + "/")).contents().stream()
            .map(o -> o.key())
            .sorted()
            .toList());
    try (InputStream stored = repository.open(BackupLayout.dumpKey("shop", id))) {
      assertFalse(
          BackupRestoreTest.contains(stored.readAllBytes(), "customer 1"),
          "plaintext in the stored dump");
    }

    assertEquals(
        id,
        harness.restores.resolveBackup(new DrillRequest(BackupRestoreTest.request("shop"), null)));
    harness.restores.restoreBackup(drill("shop", id, "shop_from_s3"));
    assertEquals(SampleDatabases.ORDERS, count(pg.primary(), "shop_from_s3", "sales.orders"));
    Comparison comparison = harness.restores.compareWithManifest(drill("shop", id, "shop_from_s3"));
    assertTrue(comparison.matches(), comparison::toString);
    assertEquals(summary.rows(), comparison.rowsCompared());
    harness.restores.dropRestoredDatabase(drill("shop", id, "shop_from_s3"));
  }

  @Test
  void aRetryAbortsTheMultipartUploadAKilledAttemptLeft() {
    String id = "20261124T030000Z-s3kill";
    String objectKey = prefix + "/shop/" + id + "/dump.enc";
    // What a worker killed mid-upload leaves: a multipart upload with a part, never completed.
    String uploadId = s3.createMultipartUpload(r -> r.bucket(BUCKET).key(objectKey)).uploadId();
    s3.uploadPart(
        r -> r.bucket(BUCKET).key(objectKey).uploadId(uploadId).partNumber(1),
        RequestBody.fromBytes(new byte[5 * 1024 * 1024]));
    assertEquals(1, multipartUploads().size());

    harness.backups.dumpDatabase(backup("shop", id));

    assertEquals(List.of(), multipartUploads());
    harness.restores.restoreBackup(drill("shop", id, "shop_after_kill"));
    assertTrue(
        harness.restores.compareWithManifest(drill("shop", id, "shop_after_kill")).matches());
    harness.restores.dropRestoredDatabase(drill("shop", id, "shop_after_kill"));
  }

  @Test
  void anUnreachableRepositoryIsRetriedWithAClearMessage() throws IOException {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    URI nowhere = URI.create("http://127.0.0.1:" + closed);
    try (S3Client down = client(nowhere);
        Harness h = harness(repository(down, nowhere))) {
      ApplicationFailure dump =
          failure(() -> h.backups.dumpDatabase(backup("shop", "20261124T040000Z-down")));
      assertEquals(TransientBackupException.class.getName(), dump.getType());
      assertFalse(dump.isNonRetryable(), "an unreachable repository is retried");
      String message = dump.getOriginalMessage();
      assertTrue(message.contains("backup 20261124T040000Z-down of target shop"), message);
      assertTrue(message.contains("s3://" + BUCKET + "/" + prefix), message);
      assertTrue(message.contains("127.0.0.1:" + closed), message);
      assertTrue(message.contains("will be retried"), message);

      ApplicationFailure drill =
          failure(
              () ->
                  h.restores.resolveBackup(
                      new DrillRequest(BackupRestoreTest.request("shop"), null)));
      assertEquals(TransientBackupException.class.getName(), drill.getType());
      assertFalse(drill.isNonRetryable());
    }
  }

  private List<MultipartUpload> multipartUploads() {
    return s3.listMultipartUploads(r -> r.bucket(BUCKET).prefix(prefix + "/")).uploads();
  }

  private static S3Client client(URI endpoint) {
    return S3TestClients.client(endpoint);
  }
}
