package dev.runbooks.bench;

import com.adobe.testing.s3mock.S3MockApplication;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * An S3-compatible server (S3Mock) in this JVM, on a free port, plain HTTP, holding one bucket, its
 * objects under {@code root}. The {@code runbook} child reaches it through {@code AWS_ENDPOINT_URL}
 * with path-style requests, as it would reach MinIO.
 */
final class S3Server implements AutoCloseable {
  private final S3MockApplication application;

  private S3Server(S3MockApplication application) {
    this.application = application;
  }

  static S3Server start(Path root, String bucket) {
    // Its Tomcat logs through java.util.logging: every connector start, and at stop a warning with
    // a stack trace for each of Spring's pool threads still parking. Errors only. The root logger
    // is held by the LogManager, so the level stays.
    Logger julRoot = LogManager.getLogManager().getLogger("");
    julRoot.setLevel(Level.SEVERE);
    for (Handler handler : julRoot.getHandlers()) {
      handler.setLevel(Level.SEVERE);
    }
    Map<String, Object> properties = new HashMap<>();
    properties.put("server.port", "0");
    properties.put("http.port", "0");
    properties.put("com.adobe.testing.s3mock.store.initialBuckets", bucket);
    properties.put("com.adobe.testing.s3mock.store.root", root.toString());
    properties.put("com.adobe.testing.s3mock.store.retainFilesOnExit", "false");
    properties.put("silent", "true");
    return new S3Server(S3MockApplication.start(properties));
  }

  // S3Mock marks direct use from Java as discouraged (its JUnit extension and its jar are the
  // supported ways); the activities tests' extension does the same as this underneath.
  @SuppressWarnings("deprecation")
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + application.getHttpPort());
  }

  @Override
  public void close() {
    application.stop();
  }
}
