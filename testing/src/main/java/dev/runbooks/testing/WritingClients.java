package dev.runbooks.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients inserting into {@code seq (n bigint PRIMARY KEY)}, each on its own connection (through a
 * pooler, typically), as an application would: every acknowledged insert is recorded, every failed
 * query too, and the longest a query took.
 */
public final class WritingClients {
  /** The inserted values that were acknowledged. */
  public final Set<Long> acknowledged = new ConcurrentSkipListSet<>();

  /** Each failed query: the client, its SQLSTATE and message. */
  public final List<String> failures = new CopyOnWriteArrayList<>();

  private final AtomicLong longestNanos = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private final String url;
  private final String user;
  private final String password;
  private volatile boolean stopped;

  /**
   * @param password null for none (trust)
   */
  public WritingClients(String url, String user, String password, int clients) {
    this.url = url;
    this.user = user;
    this.password = password;
    for (int i = 1; i <= clients; i++) {
      long first = i * 100_000_000L;
      Thread t = new Thread(() -> write(first), "writing-client-" + i);
      threads.add(t);
      t.start();
    }
  }

  /** The longest a single query waited, in milliseconds. */
  public long longestWaitMillis() {
    return TimeUnit.NANOSECONDS.toMillis(longestNanos.get());
  }

  /** Waits (at most a minute) until {@code n} inserts were acknowledged. */
  public void awaitAcknowledged(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (acknowledged.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  private void write(long first) {
    long n = first;
    Connection c = null;
    while (!stopped) {
      long started = System.nanoTime();
      try {
        if (c == null) {
          Properties p = new Properties();
          p.setProperty("user", user);
          if (password != null) {
            p.setProperty("password", password);
          }
          p.setProperty("connectTimeout", "10");
          c = DriverManager.getConnection(url, p);
        }
        n++;
        try (PreparedStatement s = c.prepareStatement("INSERT INTO seq VALUES (?)")) {
          s.setLong(1, n);
          s.executeUpdate();
        }
        acknowledged.add(n);
      } catch (SQLException e) {
        failures.add(Thread.currentThread().getName() + ": " + e.getSQLState() + " " + e);
        close(c);
        c = null;
      }
      longestNanos.accumulateAndGet(System.nanoTime() - started, Math::max);
    }
    close(c);
  }

  private static void close(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // the connection is gone already
      }
    }
  }

  /** Stops the clients and waits for them; a second call does nothing more. */
  public void stop() throws InterruptedException {
    stopped = true;
    for (Thread t : threads) {
      t.join(30_000);
    }
  }
}
