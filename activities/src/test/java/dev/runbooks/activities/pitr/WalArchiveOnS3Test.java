package dev.runbooks.activities.pitr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.repository.S3Repository;
import dev.runbooks.activities.backup.repository.S3Settings;
import dev.runbooks.activities.postgres.PgTool;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.workflows.pitr.ArchiveInput;
import dev.runbooks.workflows.pitr.ArchiveSession;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The archiver into an S3 repository (S3Mock): the same archive, and no plaintext in any object.
 */
class WalArchiveOnS3Test {
  private static final String BUCKET = "backups";
  private static final String MARKER = "MARKER-ARCHIVED-TO-S3";

  @RegisterExtension
  static final S3MockExtension S3_MOCK =
      S3MockExtension.builder()
          .silent()
          .withSecureConnection(false)
          .withInitialBuckets(BUCKET)
          .build();

  @TempDir Path dir;

  @BeforeAll
  static void warmUp() {
    BackupCipher.warmUp();
  }

  @Test
  void archivesIntoS3WithoutAGapAndWithoutPlaintext() throws Exception {
    URI endpoint = URI.create(S3_MOCK.getServiceEndpoint());
    try (LocalCluster primary = LocalCluster.builder().name("archived").walDefaults().start();
        S3Client s3 = client(endpoint)) {
      S3Repository repository =
          new S3Repository(
              s3, new S3Settings(BUCKET, "prod", "us-east-1", endpoint, true, null, null));
      LocalKeysetKek kek = LocalKeysetKek.open(dir.resolve("kek.json"));
      WalArchiverActivitiesImpl activities =
          new WalArchiverActivitiesImpl(
              new ArchiverWiring(
                  new SwitchableConnections(primary),
                  new OneTarget(repository),
                  kek,
                  new PgTool(primary.binaries()),
                  dir.resolve("spool"),
                  Clock.systemUTC()));
      primary.execute("postgres", "CREATE TABLE marks (note text)");
      CompletableFuture<ArchiveSession> running =
          CompletableFuture.supplyAsync(
              () -> activities.archiveWal(new ArchiveInput("orders", Duration.ofSeconds(20))));
      WalArchive archive = new WalArchive(repository, kek, "orders", Clock.systemUTC());
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (archive.inventory().isEmpty()) {
        assertTrue(System.nanoTime() < deadline, "the archiver never stored anything");
        Thread.sleep(100);
      }
      primary.execute(
          "postgres", "INSERT INTO marks VALUES ('" + MARKER + "')", "SELECT pg_switch_wal()");
      primary.execute("postgres", "INSERT INTO marks VALUES ('after')");
      long written = currentLsn(primary);
      ArchiveSession session = running.get(2, TimeUnit.MINUTES);
      assertEquals(List.of(), session.gaps());

      WalInventory inventory = archive.inventory();
      WalInventory.TimelineWal t1 = inventory.timeline(1).orElseThrow();
      assertEquals(List.of(), t1.gaps(), inventory.describe());
      assertTrue(
          inventory.contiguousEnd(1, t1.startLsn()).orElseThrow() >= written, inventory.describe());
      Path segment = dir.resolve("segment");
      archive.fetch(
          t1.lastComplete()
              .orElseThrow(
                  () ->
                      new AssertionError(
                          inventory.describe()
                              + " "
                              + t1
                              + " "
                              + s3.listObjectsV2(b -> b.bucket(BUCKET)).contents()))
              .name(),
          segment);
      assertTrue(contains(Files.readAllBytes(segment), MARKER), "the segment holds the row");
      List<S3Object> objects = s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("prod/")).contents();
      assertFalse(objects.isEmpty());
      for (S3Object object : objects) {
        ResponseBytes<GetObjectResponse> bytes =
            s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(object.key()));
        assertFalse(contains(bytes.asByteArray(), MARKER), "plaintext in " + object.key());
      }
    }
  }

  private static long currentLsn(LocalCluster cluster) throws Exception {
    try (Connection c = cluster.connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
      rs.next();
      return WalSegment.parseLsn(rs.getString(1));
    }
  }

  private static boolean contains(byte[] haystack, String text) {
    byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static S3Client client(URI endpoint) {
    return S3Client.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(endpoint)
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .httpClientBuilder(Apache5HttpClient.builder())
        .build();
  }
}
