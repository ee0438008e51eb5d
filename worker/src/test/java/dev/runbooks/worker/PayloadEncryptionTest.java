package dev.runbooks.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.workflows.Runbooks;
import dev.runbooks.workflows.backup.BackupRequest;
import dev.runbooks.workflows.shared.RunbookRequest;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.common.converter.DataConverter;
import io.temporal.payload.codec.PayloadCodecException;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PayloadEncryptionTest {
  /** Histories recorded before the codec existed: every payload plain JSON. */
  private static final Path GOLDEN = Path.of("../workflows/src/test/resources/golden");

  @TempDir Path dir;

  @Test
  void encryptsPayloadsSoNoTargetOrPathIsReadableAndDecodesThemBack() {
    PayloadEncryption codec = new PayloadEncryption(LocalKeysetKek.open(dir.resolve("k.json")));
    DataConverter plain = io.temporal.common.converter.DefaultDataConverter.STANDARD_INSTANCE;
    BackupRequest request =
        new BackupRequest(
            new RunbookRequest("orders-eu", "alice", false, Duration.ofHours(1)), true, null);
    Payload original = plain.toPayload(request).orElseThrow();

    Payload encrypted = codec.encode(List.of(original)).get(0);

    String stored = encrypted.toByteString().toString(StandardCharsets.ISO_8859_1);
    assertFalse(stored.contains("orders-eu"), stored);
    assertFalse(stored.contains("alice"), stored);
    assertEquals("binary/encrypted", encrypted.getMetadataOrThrow("encoding").toStringUtf8());
    assertTrue(encrypted.containsMetadata(PayloadEncryption.KEY_ID));
    Payload decoded = codec.decode(List.of(encrypted)).get(0);
    assertEquals(original, decoded);
    PayloadEncryption anotherProcess =
        new PayloadEncryption(LocalKeysetKek.open(dir.resolve("k.json")));
    assertEquals(original, anotherProcess.decode(List.of(encrypted)).get(0));
  }

  @Test
  void aPayloadEncryptedWithAnUnknownKeyFailsNamingThatKey() {
    LocalKeysetKek first = LocalKeysetKek.open(dir.resolve("first.json"));
    LocalKeysetKek second = LocalKeysetKek.open(dir.resolve("second.json"));
    Payload encrypted =
        new PayloadEncryption(first)
            .encode(
                List.of(
                    io.temporal.common.converter.DefaultDataConverter.STANDARD_INSTANCE
                        .toPayload("orders")
                        .orElseThrow()))
            .get(0);

    PayloadCodecException failure =
        assertThrows(
            PayloadCodecException.class,
            () -> new PayloadEncryption(second).decode(List.of(encrypted)));

    assertTrue(failure.getMessage().contains(first.keyId()), failure.getMessage());
    assertTrue(failure.getMessage().contains(second.keyId()), failure.getMessage());
    assertTrue(failure.getMessage().contains("encryption:"), failure.getMessage());
  }

  @Test
  void historiesRecordedBeforeTheCodecStillDecodeAndReplayThroughIt() throws Exception {
    DataConverter converter =
        PayloadConverters.encrypting(LocalKeysetKek.open(dir.resolve("k.json")));
    for (String scenario : List.of("backup-verified", "check-healthy", "migrate-approved")) {
      WorkflowExecutionHistory history =
          WorkflowExecutionHistory.fromJson(Files.readString(GOLDEN.resolve(scenario + ".json")));
      HistoryEvent started = history.getEvents().get(0);
      Optional<Payload> input =
          started.getWorkflowExecutionStartedEventAttributes().getInput().getPayloadsList().stream()
              .findFirst();
      assertTrue(input.isPresent(), scenario);
      assertEquals(
          input.get(),
          new PayloadEncryption(LocalKeysetKek.open(dir.resolve("k.json")))
              .decode(List.of(input.get()))
              .get(0));

      try (TestWorkflowEnvironment env =
          TestWorkflowEnvironment.newInstance(
              TestEnvironmentOptions.newBuilder()
                  .setWorkflowClientOptions(
                      WorkflowClientOptions.newBuilder().setDataConverter(converter).build())
                  .build())) {
        Worker worker = env.newWorker("replay");
        worker.registerWorkflowImplementationTypes(
            Runbooks.WORKFLOW_IMPLEMENTATIONS.toArray(new Class<?>[0]));
        WorkflowReplayer.replayWorkflowExecution(history, worker);
      }
    }
  }
}
