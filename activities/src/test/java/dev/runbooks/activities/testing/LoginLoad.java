package dev.runbooks.activities.testing;

import dev.runbooks.activities.secrets.Secret;
import dev.runbooks.activities.secrets.SecretStore;
import dev.runbooks.workflows.shared.SecretRef;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients of a rotated credential: each thread keeps reading the secret's latest version from the
 * store and opening a new connection with it, running one query, and closing it. A login the server
 * refuses (SQLSTATE 28P01 or 28000) is a failed login; anything else that goes wrong is counted
 * apart. Never records a password, only the server's messages.
 */
public final class LoginLoad {
  /**
   * @param logins connections opened and queried
   * @param failedLogins logins the server refused
   * @param otherErrors store reads or queries that failed for another reason
   * @param samples the first few failure messages
   */
  public record Counts(long logins, long failedLogins, long otherErrors, List<String> samples) {
    public Counts {
      samples = List.copyOf(samples);
    }
  }

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong logins = new AtomicLong();
  private final AtomicLong failedLogins = new AtomicLong();
  private final AtomicLong otherErrors = new AtomicLong();
  private final List<String> samples = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new ArrayList<>();

  private LoginLoad() {}

  /**
   * Starts {@code clients} threads.
   *
   * @param jdbcUrl where to log in, without credentials
   * @param query what each connection runs, e.g. {@code SELECT count(*) FROM orders}
   */
  public static LoginLoad start(
      int clients, SecretStore store, String secretPath, String jdbcUrl, String query) {
    LoginLoad load = new LoginLoad();
    for (int i = 0; i < clients; i++) {
      Thread t =
          new Thread(() -> load.client(store, secretPath, jdbcUrl, query), "login-load-" + i);
      t.setDaemon(true);
      load.threads.add(t);
      t.start();
    }
    return load;
  }

  private void client(SecretStore store, String path, String jdbcUrl, String query) {
    while (running.get()) {
      Secret secret;
      try {
        secret = store.read(SecretRef.latest(path));
      } catch (RuntimeException e) {
        note(otherErrors, "store: " + e.getMessage());
        pause();
        continue;
      }
      Properties properties = new Properties();
      properties.setProperty("user", secret.data().get("username"));
      properties.setProperty("password", secret.data().get("password"));
      try (Connection c = DriverManager.getConnection(jdbcUrl, properties);
          Statement s = c.createStatement()) {
        s.executeQuery(query).close();
        logins.incrementAndGet();
      } catch (SQLException e) {
        String state = e.getSQLState();
        boolean refused = "28P01".equals(state) || "28000".equals(state);
        note(
            refused ? failedLogins : otherErrors,
            secret.data().get("username") + "@" + secret.version() + ": " + e.getMessage());
      }
    }
  }

  private void note(AtomicLong counter, String message) {
    counter.incrementAndGet();
    if (samples.size() < 10) {
      samples.add(message);
    }
  }

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The counts so far. */
  public Counts counts() {
    return new Counts(logins.get(), failedLogins.get(), otherErrors.get(), samples);
  }

  /** Stops the clients, waits for them, and returns the final counts. */
  public Counts stop() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(30_000);
    }
    return counts();
  }
}
