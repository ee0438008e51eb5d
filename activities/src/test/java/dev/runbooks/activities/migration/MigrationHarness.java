package dev.runbooks.activities.migration;

import dev.runbooks.activities.backup.BackupActivitiesImpl;
import dev.runbooks.activities.backup.BackupTargets;
import dev.runbooks.activities.backup.BackupWiring;
import dev.runbooks.activities.backup.RestoreActivitiesImpl;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.check.CheckActivitiesImpl;
import dev.runbooks.activities.check.CheckThresholds;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.lock.BackupsInUseActivitiesImpl;
import dev.runbooks.activities.lock.TargetLockActivitiesImpl;
import dev.runbooks.activities.postgres.ConfiguredConnections;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.activities.secrets.FileSecretStore;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.workflows.backup.BackupWorkflowImpl;
import dev.runbooks.workflows.backup.RestoreDrillWorkflowImpl;
import dev.runbooks.workflows.migration.MigrationRequest;
import dev.runbooks.workflows.migration.MigrationWorkflow;
import dev.runbooks.workflows.migration.MigrationWorkflowImpl;
import dev.runbooks.workflows.shared.RunbookRequest;
import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import dev.runbooks.workflows.shared.TargetLockWorkflowImpl;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * One migration target on a real cluster, in a database of its own, run by the real migration,
 * backup, restore, check and lock activities in a {@link TestWorkflowEnvironment} (time skipping,
 * so an approval timeout passes at once).
 */
final class MigrationHarness implements AutoCloseable {
  static final String QUEUE = "migrations";
  static final String TARGET = "app";

  final LocalCluster cluster;
  final String database;
  final Path migrations;
  final RunbooksConfig config;
  final TargetConnections connections;
  final TestWorkflowEnvironment env;
  final WorkflowClient client;
  final SchemaDumps dumps;
  final Migrators migrators;

  /**
   * @param migrations the directory of migrations (the test writes them)
   */
  MigrationHarness(
      LocalCluster cluster,
      String password,
      String database,
      Path dir,
      Path migrations,
      boolean production,
      boolean fourEyes)
      throws Exception {
    this(cluster, password, database, dir, migrations, production, fourEyes, null);
  }

  /**
   * @param irreversible the YAML list of {@code migrations.irreversible}, such as {@code ["1.1+"]};
   *     null for the plain {@code migrations: DIR}
   */
  MigrationHarness(
      LocalCluster cluster,
      String password,
      String database,
      Path dir,
      Path migrations,
      boolean production,
      boolean fourEyes,
      String irreversible)
      throws Exception {
    this.cluster = cluster;
    this.database = database;
    this.migrations = migrations;
    cluster.execute("postgres", "CREATE DATABASE " + database);
    FileSecretStore secrets = new FileSecretStore(dir.resolve("secrets.json"));
    secrets.write(
        "db/app/admin", Map.of("username", "postgres", "password", password), OptionalInt.of(0));
    Path file = dir.resolve("runbooks.yaml");
    Files.writeString(
        file,
        "targets:\n"
            + "  app:\n"
            + "    primary: { host: 127.0.0.1, port: "
            + cluster.port()
            + ", database: "
            + database
            + ", sslmode: disable }\n"
            + "    admin: { secret: db/app/admin }\n"
            + "    migrations: "
            + (irreversible == null
                ? migrations
                : "{ path: " + migrations + ", irreversible: " + irreversible + " }")
            + "\n"
            + "    production: "
            + production
            + "\n"
            + "    fourEyes: "
            + fourEyes
            + "\n"
            + "    approvalTimeout: PT1H\n"
            + "repository: file://"
            + dir.resolve("repo")
            + "\n"
            + "secrets: file://"
            + dir.resolve("secrets.json")
            + "\n"
            + "encryption: local-keyset:"
            + dir.resolve("kek.json")
            + "\n");
    config = ConfigLoader.load(file, Map.of());
    connections = new ConfiguredConnections(config, secrets);
    PgBinaries binaries = PgBinaries.require();
    dumps =
        new SchemaDumps(new dev.runbooks.activities.postgres.PgTool(binaries), dir.resolve("s"));
    migrators =
        new Migrators(
            connections,
            MigrationTargets.fromConfig(config),
            new dev.runbooks.activities.postgres.PgTool(binaries),
            dumps);

    env = TestWorkflowEnvironment.newInstance();
    for (var key : RunbookSearchAttributes.ALL) {
      env.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    client = env.getWorkflowClient();
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(
        MigrationWorkflowImpl.class,
        BackupWorkflowImpl.class,
        RestoreDrillWorkflowImpl.class,
        TargetLockWorkflowImpl.class);
    BackupTargets backupTargets = BackupTargets.fromConfig(config);
    LocalKeysetKek kek = LocalKeysetKek.open(dir.resolve("kek.json"));
    BackupWiring wiring =
        BackupWiring.of(connections, backupTargets, kek, binaries, Clock.systemUTC());
    worker.registerActivitiesImplementations(
        new CheckActivitiesImpl(connections, CheckThresholds.defaults()),
        new TargetLockActivitiesImpl(client, QUEUE),
        new BackupsInUseActivitiesImpl(client),
        new BackupActivitiesImpl(wiring),
        new RestoreActivitiesImpl(wiring),
        new MigrationActivitiesImpl(
            connections, MigrationTargets.fromConfig(config), binaries, dir.resolve("snapshots")));
    env.start();
  }

  MigrationRequest request(String initiator, String to, boolean autoApprove) {
    return request(initiator, to, autoApprove, false);
  }

  MigrationRequest request(String initiator, String to, boolean autoApprove, boolean fourEyes) {
    return new MigrationRequest(
        new RunbookRequest(TARGET, initiator, fourEyes, Duration.ofHours(1)),
        to,
        autoApprove,
        Duration.ofSeconds(2),
        Duration.ofMinutes(5));
  }

  MigrationWorkflow stub(String workflowId) {
    return client.newWorkflowStub(
        MigrationWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(workflowId).setTaskQueue(QUEUE).build());
  }

  /** Writes a migration file (or {@code verify/...}). */
  void write(String name, String sql) throws IOException {
    Path file = migrations.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, sql);
  }

  /** The same normalised schema comparison the runbook uses. */
  SchemaDumps.Schema schema() throws IOException {
    return dumps.dump(connections.connectionSpec(TARGET));
  }

  /** The schema history: {@code version:success} per row, in rank order. */
  List<String> history() throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = cluster.connect(database);
        Statement s = c.createStatement()) {
      try (ResultSet rs =
          s.executeQuery("SELECT to_regclass('flyway_schema_history') IS NOT NULL")) {
        rs.next();
        if (!rs.getBoolean(1)) {
          return rows;
        }
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT version, success FROM flyway_schema_history ORDER BY installed_rank")) {
        while (rs.next()) {
          rows.add(rs.getString(1) + ":" + rs.getBoolean(2));
        }
      }
    }
    return rows;
  }

  /** Databases on the cluster whose name starts with {@code prefix}. */
  List<String> databases(String prefix) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = cluster.connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT datname FROM pg_database ORDER BY 1")) {
      while (rs.next()) {
        if (rs.getString(1).startsWith(prefix)) {
          names.add(rs.getString(1));
        }
      }
    }
    return names;
  }

  long scalar(String sql) throws SQLException {
    try (Connection c = cluster.connect(database);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Override
  public void close() {
    env.close();
  }
}
