package dev.runbooks.worker;

import dev.runbooks.activities.secrets.FileSecretStore;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Rotation with the file secret store, the embedded default. */
class RotationWithFileStoreTest extends RotationRunbookContract {
  @TempDir static Path dir;

  @BeforeAll
  static void startWorker() throws Exception {
    Path secrets = dir.resolve("secrets.json");
    start(new FileSecretStore(secrets), null, dir, "file://" + secrets);
  }
}
