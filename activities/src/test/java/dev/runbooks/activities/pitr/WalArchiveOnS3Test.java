package dev.runbooks.activities.pitr;

import static dev.runbooks.activities.pitr.WalTestSupport.contains;
import static dev.runbooks.activities.pitr.WalTestSupport.currentLsn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.repository.S3Repository;
import dev.runbooks.activities.backup.repository.S3Settings;
import dev.runbooks.activities.postgres.PgTool;
import dev.runbooks.activities.testing.S3TestClients;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.workflows.pitr.ArchiveInput;
import dev.runbooks.workflows.pitr.ArchiveSession;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
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
        S3Client s3 = S3TestClients.client(endpoint)) {
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
}
