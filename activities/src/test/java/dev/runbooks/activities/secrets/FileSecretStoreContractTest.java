package dev.runbooks.activities.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.runbooks.workflows.shared.SecretRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The secret store contract for the JSON file store, plus what a clock of its own allows. */
class FileSecretStoreContractTest extends SecretStoreContract {
  static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

  @TempDir Path dir;

  /** A clock that moves one minute on every reading. */
  static final class TickingClock extends Clock {
    private Instant now = T0;

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public synchronized Instant instant() {
      Instant current = now;
      now = now.plus(Duration.ofMinutes(1));
      return current;
    }
  }

  @Override
  protected FileSecretStore store() {
    return new FileSecretStore(dir.resolve("secrets.json"), new TickingClock());
  }

  @Override
  protected FileSecretStore reopen() {
    return new FileSecretStore(dir.resolve("secrets.json"));
  }

  @Test
  void stampsEachVersionWithItsClock() {
    FileSecretStore store = store();
    store.write("db/a", admin("1"), OptionalInt.empty());
    store.write("db/a", admin("2"), OptionalInt.empty());

    SecretMetadata metadata = store.metadata("db/a");
    assertEquals("db/a", metadata.path());
    assertEquals(2, metadata.currentVersion());
    assertEquals(
        List.of(
            new SecretMetadata.Version(1, T0),
            new SecretMetadata.Version(2, T0.plus(Duration.ofMinutes(1)))),
        metadata.versions());
  }

  @Test
  void readingAMissingSecretCreatesNoFile() {
    FileSecretStore store = store();
    assertThrows(SecretNotFoundException.class, () -> store.read(SecretRef.parse("db/a")));
    assertFalse(Files.exists(dir.resolve("secrets.json")), "reading must not create the file");
  }
}
