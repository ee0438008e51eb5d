package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.secrets.SecretStores;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.worker.EmbeddedRunbooks;
import dev.runbooks.worker.PayloadConverters;
import dev.runbooks.worker.PayloadEncryption;
import dev.runbooks.worker.TemporalConnection;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.common.v1.SearchAttributes;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.common.WorkflowExecutionHistory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 3 of the observability issue: with {@code payloadEncryption: true}, the history the
 * Temporal service holds after a backup shows no target name, row count or path, the CLI still
 * reads the run, and the codec server decodes the history's payloads for the holder of its token.
 */
class EncryptedHistoryEndToEndTest {
  private static final String PASSWORD = "eh-Secr3t-" + Long.toHexString(System.nanoTime());
  private static final String TARGET = "ledger-eu7";
  private static final int ROWS = 4567;
  private static final String REPOSITORY = "vault-of-backups";
  private static final String TOKEN = "codec-token-" + Long.toHexString(System.nanoTime());
  private static final Pattern RUN = Pattern.compile("(backup-" + TARGET + "-\\S+): SUCCEEDED");

  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.newPrimary().withScram(PASSWORD);

  @TempDir Path dir;

  @Test
  void aBackupsHistoryHoldsNoPlaintextAndTheCodecServerDecodesItWithTheToken() throws Exception {
    LocalCluster primary = pg.primary();
    primary.execute("postgres", "CREATE DATABASE ledger");
    primary.execute(
        "ledger",
        "CREATE TABLE entries (id bigserial PRIMARY KEY, cents int)",
        "INSERT INTO entries (cents) SELECT g FROM generate_series(1, " + ROWS + ") g");
    SecretStores.open("file://" + dir.resolve("secrets.json"), dir)
        .write(
            "db/ledger/admin",
            Map.of("username", "postgres", "password", PASSWORD),
            OptionalInt.of(0));
    Path file =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n  "
                + TARGET
                + ":\n    primary: { host: 127.0.0.1, port: "
                + primary.port()
                + ", database: ledger }\n"
                + "    admin: { secret: db/ledger/admin }\n"
                + "secrets: file://secrets.json\n"
                + "repository: file://"
                + dir.resolve(REPOSITORY)
                + "\nencryption: local-keyset:"
                + dir.resolve("keys/backup-keyset.json")
                + "\npayloadEncryption: true\n");
    Cli cli = new Cli(Cli.isolatedEnv()).with("RUNBOOKS_CONFIG", file.toString());
    RunbooksConfig config = ConfigLoader.load(file, cli.env());

    try (EmbeddedRunbooks runbooks = EmbeddedRunbooks.start(0, config, "runbooks")) {
      String address = runbooks.temporal().address();
      Cli.Result backup = cli.run("backup", "--target", TARGET, "--temporal", address, "--wait");
      assertEquals(0, backup.code(), backup.toString());
      assertTrue(backup.out().contains(String.valueOf(ROWS)), backup.toString());
      Matcher run = RUN.matcher(backup.out());
      assertTrue(run.find(), backup.toString());

      WorkflowExecutionHistory history;
      try (TemporalConnection plain = TemporalConnection.connectPlain(address, "default")) {
        history = plain.client().fetchHistory(run.group(1));
      }
      List<Payload> payloads = new ArrayList<>();
      List<Payload> versions = new ArrayList<>();
      for (HistoryEvent event : history.getEvents()) {
        boolean version =
            event.hasMarkerRecordedEventAttributes()
                && event.getMarkerRecordedEventAttributes().getMarkerName().equals("Version");
        collect(event, version ? versions : payloads);
      }
      assertFalse(payloads.isEmpty());
      for (Payload payload : payloads) {
        assertEquals(
            PayloadEncryption.ENCODING,
            payload.getMetadataOrThrow("encoding").toStringUtf8(),
            payload.toString());
      }
      // The SDK writes a version marker's change id (code, not data) without the codec.
      for (Payload payload : concat(payloads, versions)) {
        String raw = payload.toByteString().toString(StandardCharsets.ISO_8859_1);
        for (String secret : List.of(TARGET, String.valueOf(ROWS), REPOSITORY, dir.toString())) {
          assertFalse(raw.contains(secret), secret + " in " + raw);
        }
      }

      Cli.Result status = cli.run("status", run.group(1), "--temporal", address);
      assertEquals(0, status.code(), status.toString());
      assertTrue(status.out().contains(TARGET), status.toString());

      try (CodecServer server =
          CodecServer.start(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
              PayloadConverters.codec(config),
              TOKEN,
              List.of("http://localhost:8080"))) {
        String body =
            JsonFormat.printer().print(Payloads.newBuilder().addAllPayloads(payloads).build());
        URI decode = URI.create("http://127.0.0.1:" + server.port() + "/default/decode");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

        HttpResponse<String> refused = http.send(post(decode, body, null), ofString());
        assertEquals(401, refused.statusCode(), refused.body());
        HttpResponse<String> wrong = http.send(post(decode, body, "not-the-token"), ofString());
        assertEquals(401, wrong.statusCode(), wrong.body());

        HttpResponse<String> decoded = http.send(post(decode, body, TOKEN), ofString());
        assertEquals(200, decoded.statusCode(), decoded.body());
        assertEquals(
            "http://localhost:8080",
            decoded.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        Payloads.Builder plain = Payloads.newBuilder();
        JsonFormat.parser().merge(decoded.body(), plain);
        String text =
            plain.getPayloadsList().stream()
                .map(p -> p.getData().toStringUtf8())
                .reduce("", String::concat);
        assertTrue(text.contains(TARGET), text);
        assertTrue(text.contains(String.valueOf(ROWS)), text);

        HttpResponse<String> preflight =
            http.send(
                HttpRequest.newBuilder(decode)
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "http://localhost:8080")
                    .header("Access-Control-Request-Method", "POST")
                    .build(),
                ofString());
        assertEquals(204, preflight.statusCode());
        assertTrue(
            preflight
                .headers()
                .firstValue("Access-Control-Allow-Headers")
                .orElse("")
                .contains("Authorization"));
      }
    }
  }

  private static List<Payload> concat(List<Payload> a, List<Payload> b) {
    List<Payload> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static HttpRequest post(URI uri, String body, String token) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .header("X-Namespace", "default")
            .header("Origin", "http://localhost:8080")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return request.build();
  }

  private static HttpResponse.BodyHandler<String> ofString() {
    return HttpResponse.BodyHandlers.ofString();
  }

  /**
   * Every payload in {@code message} but search attributes: those are the index of the runs list,
   * plain by Temporal's design, and hold only kind, target and initiator, never results.
   */
  private static void collect(Message message, List<Payload> into) {
    if (message instanceof Payload payload) {
      into.add(payload);
      return;
    }
    if (message instanceof SearchAttributes) {
      return;
    }
    for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
      if (field.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      Object value = field.getValue();
      if (value instanceof List<?> list) {
        list.forEach(v -> collect((Message) v, into));
      } else {
        collect((Message) value, into);
      }
    }
  }
}
