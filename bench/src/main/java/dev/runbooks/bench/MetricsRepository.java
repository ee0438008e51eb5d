package dev.runbooks.bench;

import dev.runbooks.activities.backup.BackupLayout;
import dev.runbooks.activities.backup.BackupManifest;
import dev.runbooks.activities.backup.BackupManifests;
import dev.runbooks.activities.backup.DrillVerdict;
import dev.runbooks.activities.backup.DumpCompression;
import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.DataKey;
import dev.runbooks.activities.backup.crypto.Digest;
import dev.runbooks.activities.backup.crypto.HashingOutputStream;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.repository.BackupUpload;
import dev.runbooks.activities.backup.repository.FileRepository;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The file repository {@code bench/metrics} scrapes: {@code targets} targets with {@code backups}
 * complete backups each, written as the dump step writes them (an encrypted dump object through the
 * repository's upload, then its manifest), small ones; every third backup has a passing drill
 * verdict beside it.
 */
final class MetricsRepository {
  private static final DateTimeFormatter ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final Instant FIRST = Instant.parse("2026-01-01T02:00:00Z");
  private static final int DUMP_BYTES = 4096;

  private MetricsRepository() {}

  /** The target names, {@code m00}, {@code m01}, ... */
  static List<String> targets(int count) {
    return java.util.stream.IntStream.range(0, count)
        .mapToObj(i -> String.format(java.util.Locale.ROOT, "m%02d", i))
        .toList();
  }

  /** Writes every target's backups into {@code root}, keys from the keyset {@code keyset}. */
  static void write(Path root, Path keyset, List<String> targets, int backups) throws IOException {
    FileRepository repository = new FileRepository(root);
    LocalKeysetKek kek = LocalKeysetKek.open(keyset);
    BackupCipher cipher = new BackupCipher();
    Random random = new Random(17);
    byte[] dump = new byte[DUMP_BYTES];
    for (String target : targets) {
      for (int b = 0; b < backups; b++) {
        Instant started = FIRST.plus(Duration.ofDays(b));
        String id = ID_TIME.format(started) + "-" + String.format(java.util.Locale.ROOT, "%04x", b);
        random.nextBytes(dump);
        DataKey key = cipher.newDataKey(kek);
        Digest plain;
        Digest stored;
        try (BackupUpload upload = repository.create(BackupLayout.dumpKey(target, id));
            HashingOutputStream ciphertext = new HashingOutputStream(upload)) {
          HashingOutputStream plaintext;
          try (OutputStream encrypting =
              cipher.encrypt(ciphertext, key, BackupLayout.associatedData(target, id))) {
            plaintext = new HashingOutputStream(encrypting);
            plaintext.write(dump);
            plaintext.flush();
          }
          plain = plaintext.digest();
          stored = ciphertext.digest();
          upload.commit();
        }
        BackupManifest manifest =
            new BackupManifest(
                BackupManifest.FORMAT_VERSION,
                id,
                target,
                "bench",
                "15",
                "pg_dump (PostgreSQL) 15",
                started,
                started.plusSeconds(30),
                DumpCompression.PG_DUMP.manifestName(),
                plain.bytes(),
                plain.bytes(),
                plain.sha256(),
                stored.bytes(),
                stored.sha256(),
                key.wrapped(),
                Map.of("public.events", 100L + b),
                List.of("TABLE public events postgres"),
                2);
        repository.put(
            BackupLayout.manifestKey(target, id),
            BackupManifests.toJson(manifest).getBytes(StandardCharsets.UTF_8));
        if (b % 3 == 0) {
          DrillVerdict verdict =
              new DrillVerdict(
                  id,
                  true,
                  List.of(),
                  Duration.ofSeconds(7),
                  started.plusSeconds(600),
                  "restore-drill-" + target + "-" + id);
          repository.put(
              BackupLayout.verdictKey(target, id),
              BackupManifests.toJson(verdict).getBytes(StandardCharsets.UTF_8));
        }
      }
    }
  }
}
