package dev.runbooks.activities.testing;

import dev.runbooks.testing.LocalCluster;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Throwaway PostgreSQL clusters for one test class: a primary, optionally SCRAM and replicas,
 * started before the class's first test and stopped and deleted after its last, also when tests
 * fail. Register it on a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PostgresExtension pg = PostgresExtension.newPrimary().withReplicas(1);
 *
 * @Test
 * void readsFromReplica() throws Exception {
 *   pg.primary().execute("postgres", "create table t (id int)");
 *   try (Connection c = pg.replica(0).connect("postgres")) { ... }
 * }
 * }</pre>
 *
 * <p>The primary is named {@code primary}; replica {@code i} is named {@code replica<i>}
 * (replica(0) is "replica0"), which is its {@code application_name} in pg_stat_replication.
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback {
  private int replicaCount;
  private String password;
  private final Map<String, String> settings = new LinkedHashMap<>();

  private volatile LocalCluster primary;
  private final List<LocalCluster> replicas = new CopyOnWriteArrayList<>();
  private final List<LocalCluster> onDemand = new CopyOnWriteArrayList<>();
  private String startedBy;

  private PostgresExtension() {}

  /** A primary with default settings, trusting local clients, and no replicas. */
  public static PostgresExtension newPrimary() {
    return new PostgresExtension();
  }

  /** Also starts {@code n} streaming replicas, {@code replica0} to {@code replica<n-1>}. */
  public PostgresExtension withReplicas(int n) {
    requireNotStarted();
    if (n < 0) {
      throw new IllegalArgumentException("expected a replica count >= 0, but got " + n);
    }
    this.replicaCount = n;
    return this;
  }

  /** SCRAM passwords over TCP, replication included, with this superuser password. */
  public PostgresExtension withScram(String superuserPassword) {
    requireNotStarted();
    this.password = Objects.requireNonNull(superuserPassword, "superuserPassword");
    return this;
  }

  /** A postgresql.conf setting for the primary (and so its replicas, which copy it). */
  public PostgresExtension withSetting(String key, String value) {
    requireNotStarted();
    settings.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return this;
  }

  public LocalCluster primary() {
    LocalCluster started = primary;
    if (started == null) {
      throw new IllegalStateException(
          "expected the PostgresExtension to be started, but it is not: register it on a static"
              + " field with @RegisterExtension so that it starts before the class's tests");
    }
    return started;
  }

  /** Replica {@code i} of those asked for with {@link #withReplicas(int)}, from 0. */
  public LocalCluster replica(int i) {
    primary();
    if (i < 0 || i >= replicas.size()) {
      throw new IndexOutOfBoundsException(
          "expected a replica index in 0.." + (replicas.size() - 1) + ", but got " + i);
    }
    return replicas.get(i);
  }

  /** The replicas asked for with {@link #withReplicas(int)}. */
  public List<LocalCluster> replicas() {
    primary();
    return List.copyOf(replicas);
  }

  /**
   * A new streaming replica of the primary, for a test that wants its own (to promote, stop or
   * break). Closed after the class like the others; a test may close it earlier.
   */
  public LocalCluster newReplica(String name) {
    LocalCluster replica = primary().createReplica(name);
    onDemand.add(replica);
    return replica;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (primary != null) {
      return; // a @Nested class sees its enclosing class's extension; it is already running
    }
    startedBy = context.getUniqueId();
    try {
      LocalCluster.Builder builder = LocalCluster.builder().name("primary");
      if (password != null) {
        builder.scram(password);
      }
      settings.forEach(builder::setting);
      primary = builder.start();
      for (int i = 0; i < replicaCount; i++) {
        replicas.add(primary.createReplica("replica" + i));
      }
    } catch (RuntimeException e) {
      closeAll();
      throw e;
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (context.getUniqueId().equals(startedBy)) {
      closeAll();
    }
  }

  private void closeAll() {
    List<LocalCluster> all = new ArrayList<>(onDemand);
    all.addAll(replicas);
    if (primary != null) {
      all.add(primary);
    }
    all.forEach(LocalCluster::close); // close() never throws, so every one gets its turn
    onDemand.clear();
    replicas.clear();
    primary = null;
    startedBy = null;
  }

  private void requireNotStarted() {
    if (primary != null) {
      throw new IllegalStateException("configure the PostgresExtension before it starts");
    }
  }
}
