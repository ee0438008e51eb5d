package dev.runbooks.activities.backup.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.activities.testing.S3TestClients;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What an operator or Temporal sees when S3 answers with an error: transient faults are retryable
 * IOExceptions, permanent ones say what is wrong and how to fix it. A stub server answers every
 * request with one S3 error.
 */
class S3FailuresTest {
  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private volatile int status;
  private volatile String code;
  private S3Client s3;
  private S3Repository repository;

  @BeforeEach
  void setUp() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          requests.incrementAndGet();
          try (InputStream body = exchange.getRequestBody()) {
            body.transferTo(java.io.OutputStream.nullOutputStream());
          }
          byte[] xml =
              ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>"
                      + code
                      + "</Code><Message>stub says "
                      + code
                      + "</Message><RequestId>1</RequestId></Error>")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/xml");
          if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
          } else {
            exchange.sendResponseHeaders(status, xml.length);
            exchange.getResponseBody().write(xml);
          }
          exchange.close();
        });
    server.start();
    URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    s3 = S3TestClients.client(endpoint);
    repository =
        new S3Repository(
            s3, new S3Settings("backups", "prod", "us-east-1", endpoint, true, null, null));
  }

  @AfterEach
  void tearDown() {
    s3.close();
    server.stop(0);
  }

  @Test
  void aServiceUnavailableIsTransient() {
    answer(503, "ServiceUnavailable");
    IOException e = assertThrows(IOException.class, () -> repository.get("orders/1/manifest.json"));
    assertInstanceOf(TransientRepositoryException.class, e);
    assertTrue(e.getMessage().contains("ServiceUnavailable (HTTP 503)"), e.getMessage());
    assertTrue(e.getMessage().contains("retried"), e.getMessage());
    // The SDK retried before giving up.
    assertTrue(requests.get() > 1, requests.get() + " requests");
  }

  @Test
  void anAccessDeniedIsPermanentAndNamesThePermissions() {
    answer(403, "AccessDenied");
    for (ThrowingCall call :
        new ThrowingCall[] {
          () -> repository.get("orders/1/manifest.json"),
          () -> repository.exists("orders/1/manifest.json"),
          () -> repository.put("orders/1/manifest.json", new byte[2]),
        }) {
      PermanentBackupException e = assertThrows(PermanentBackupException.class, call::run);
      assertEquals(FailureType.PERMISSION_DENIED, e.type());
      assertTrue(e.getMessage().contains("was denied"), e.getMessage());
      assertTrue(e.getMessage().contains("s3:PutObject"), e.getMessage());
      assertTrue(e.getMessage().contains("s3://backups/prod"), e.getMessage());
    }
  }

  @Test
  void aMissingBucketIsPermanentWithTheFix() {
    answer(404, "NoSuchBucket");
    PermanentBackupException e =
        assertThrows(
            PermanentBackupException.class,
            () -> {
              try (BackupUpload upload = repository.create("orders/1/dump.enc")) {
                upload.write(new byte[10]);
                upload.commit();
              }
            });
    assertEquals(FailureType.NOT_FOUND, e.type());
    assertTrue(e.getMessage().contains("backups does not exist"), e.getMessage());
    assertTrue(e.getMessage().contains("create it"), e.getMessage());
  }

  private interface ThrowingCall {
    void run() throws Exception;
  }

  private void answer(int status, String code) {
    this.status = status;
    this.code = code;
  }
}
