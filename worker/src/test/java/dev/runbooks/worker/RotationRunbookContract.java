package dev.runbooks.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import dev.runbooks.activities.check.CheckActivitiesImpl;
import dev.runbooks.activities.check.CheckThresholds;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.lock.TargetLockActivitiesImpl;
import dev.runbooks.activities.postgres.ConfiguredConnections;
import dev.runbooks.activities.rotation.RotationActivitiesImpl;
import dev.runbooks.activities.secrets.SecretMetadata;
import dev.runbooks.activities.secrets.SecretNotFoundException;
import dev.runbooks.activities.secrets.SecretStore;
import dev.runbooks.activities.testing.LoginLoad;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.activities.testing.SecretScan;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.workflows.rotation.RenewInput;
import dev.runbooks.workflows.rotation.RotationRequest;
import dev.runbooks.workflows.rotation.RotationResult;
import dev.runbooks.workflows.rotation.RotationSecrets;
import dev.runbooks.workflows.rotation.RotationStrategy;
import dev.runbooks.workflows.rotation.RotationWorkflow;
import dev.runbooks.workflows.shared.Outcome;
import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.RunbookRequest;
import dev.runbooks.workflows.shared.SecretRef;
import dev.runbooks.workflows.shared.StepState;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Credential rotation end to end on a real PostgreSQL primary with SCRAM logins: the workflow on
 * the embedded Temporal, the worker's activities, and a secret store that holds both the admin
 * secret and the rotated credentials. Subclasses choose the store (a file, Vault).
 *
 * <p>Clients under load keep logging in with whatever the store says is current while rotations run
 * back to back; every generated password is then looked for in every run's history and in
 * everything the worker logged.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class RotationRunbookContract {
  private static final org.slf4j.Logger log =
      LoggerFactory.getLogger(RotationRunbookContract.class);

  static final String ADMIN_PASSWORD = "rot-Admin-" + Long.toHexString(System.nanoTime());
  static final String WRONG_PASSWORD = "rot-Wrong-" + Long.toHexString(System.nanoTime());
  static final String ADMIN_SECRET = "db/orders/admin";
  static final String TARGET = "orders";
  static final String GROUP = "app";
  static final String SERVICE = "svc";
  static final Duration GRACE = Duration.ofSeconds(2);
  static final int CLIENTS = 8;
  static final String QUEUE = "rotation-test";

  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.newPrimary().withScram(ADMIN_PASSWORD);

  static SealableStore store;
  static ConfiguredConnections connections;
  static EmbeddedTemporal temporal;
  static TemporalConnection connection;
  static RunbookWorker worker;
  static final List<String> runs = new CopyOnWriteArrayList<>();
  static final List<String> logLines = new CopyOnWriteArrayList<>();
  private static AppenderBase<ILoggingEvent> capture;
  private static Level previousLevel;
  private static int sequence;

  /** Counts of the clients during the single strategy's rotations: printed, not asserted. */
  static LoginLoad.Counts single;

  @BeforeAll
  static void captureLogs() {
    runs.clear();
    logLines.clear();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger ours = (Logger) LoggerFactory.getLogger("dev.runbooks");
    previousLevel = ours.getLevel();
    ours.setLevel(Level.DEBUG);
    capture =
        new AppenderBase<>() {
          @Override
          protected void append(ILoggingEvent event) {
            String thrown =
                event.getThrowableProxy() == null
                    ? ""
                    : ThrowableProxyUtil.asString(event.getThrowableProxy());
            logLines.add(event.getFormattedMessage() + " " + event.getMDCPropertyMap() + thrown);
          }
        };
    capture.setContext(root.getLoggerContext());
    capture.start();
    root.addAppender(capture);
  }

  @AfterAll
  static void stopAll() {
    if (worker != null) {
      worker.close();
    }
    if (connection != null) {
      connection.close();
    }
    if (temporal != null) {
      temporal.close();
    }
    worker = null;
    connection = null;
    temporal = null;
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAppender(capture);
    ((Logger) LoggerFactory.getLogger("dev.runbooks")).setLevel(previousLevel);
  }

  /** Sets up the database, the store (holding the admin secret), the worker. */
  static void start(SecretStore base, Runnable seal, Path dir, String secretsSpec)
      throws Exception {
    LocalCluster primary = pg.primary();
    primary.execute("postgres", "CREATE DATABASE shop");
    primary.execute(
        "shop",
        "CREATE TABLE orders (id int PRIMARY KEY, total int)",
        "INSERT INTO orders SELECT g, g * 3 FROM generate_series(1, 100) g",
        "REVOKE ALL ON orders FROM PUBLIC",
        "CREATE ROLE " + GROUP + " NOLOGIN",
        "GRANT SELECT ON orders TO " + GROUP,
        "CREATE ROLE " + SERVICE + " LOGIN",
        "GRANT SELECT ON orders TO " + SERVICE);
    store = new SealableStore(base, seal);
    store.write(
        ADMIN_SECRET,
        Map.of("username", "postgres", "password", ADMIN_PASSWORD),
        OptionalInt.empty());
    Path file =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n"
                + "  "
                + TARGET
                + ":\n"
                + "    primary: { host: 127.0.0.1, port: "
                + primary.port()
                + ", database: shop }\n"
                + "    admin: { secret: "
                + ADMIN_SECRET
                + " }\n"
                + "secrets: "
                + secretsSpec
                + "\n");
    RunbooksConfig config = ConfigLoader.load(file, Map.of());
    connections = new ConfiguredConnections(config, store);
    temporal = EmbeddedTemporal.start(0);
    connection = temporal.connect();
    WorkflowClient client = connection.client();
    worker =
        RunbookWorker.start(
            client,
            QUEUE,
            new Activities(
                List.of(
                    new CheckActivitiesImpl(connections, CheckThresholds.defaults()),
                    new TargetLockActivitiesImpl(client, QUEUE),
                    new RotationActivitiesImpl(connections, store))));
  }

  static WorkflowClient client() {
    return connection.client();
  }

  static RotationRequest request(String role, RotationStrategy strategy, Duration grace) {
    return new RotationRequest(
        new RunbookRequest(TARGET, "tester", false, Duration.ofHours(1)), role, strategy, grace);
  }

  static synchronized String nextId() {
    String id = "rotate-" + TARGET + "-" + (++sequence);
    runs.add(id);
    return id;
  }

  static WorkflowStub startRotation(String id, RotationRequest request) {
    RotationWorkflow workflow =
        client()
            .newWorkflowStub(
                RotationWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId(id)
                    .setTaskQueue(QUEUE)
                    .setWorkflowExecutionTimeout(Duration.ofMinutes(5))
                    .build());
    WorkflowClient.start(workflow::run, request);
    return WorkflowStub.fromTyped(workflow);
  }

  static RotationResult rotate(String role, RotationStrategy strategy, Duration grace) {
    return startRotation(nextId(), request(role, strategy, grace)).getResult(RotationResult.class);
  }

  static ApplicationFailure failedRotation(String id, RotationRequest request) {
    WorkflowStub run = startRotation(id, request);
    WorkflowFailedException e =
        assertThrows(WorkflowFailedException.class, () -> run.getResult(RotationResult.class));
    return assertInstanceOf(ApplicationFailure.class, e.getCause());
  }

  static RunbookProgress progress(String id) {
    return client().newWorkflowStub(RotationWorkflow.class, id).progress();
  }

  static int currentVersion(String role) {
    try {
      return store.metadata(RotationSecrets.path(TARGET, role)).currentVersion();
    } catch (SecretNotFoundException e) {
      return 0;
    }
  }

  static String jdbcUrl() {
    return pg.primary().jdbcUrl("shop");
  }

  /** Logs in and reads the orders; the SQLSTATE of a refusal, or null when it worked. */
  static String login(String user, String password) {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    try (Connection c = DriverManager.getConnection(jdbcUrl(), properties);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
      rs.next();
      return null;
    } catch (SQLException e) {
      return e.getSQLState();
    }
  }

  static String loginWith(String role, int version) {
    var secret = store.read(new SecretRef(RotationSecrets.path(TARGET, role), version));
    return login(secret.require("username"), secret.require("password"));
  }

  static String rolpassword(String role) throws SQLException {
    try (Connection c = pg.primary().connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT rolpassword FROM pg_authid WHERE rolname = '" + role + "'")) {
      return rs.next() ? rs.getString(1) : "<no role>";
    }
  }

  /** Every password the rotations generated, read back from the store. */
  static List<String> generatedPasswords() {
    List<String> passwords = new ArrayList<>();
    for (String role : List.of(GROUP, SERVICE)) {
      String path = RotationSecrets.path(TARGET, role);
      SecretMetadata metadata;
      try {
        metadata = store.metadata(path);
      } catch (SecretNotFoundException e) {
        continue;
      }
      for (SecretMetadata.Version v : metadata.versions()) {
        passwords.add(store.read(new SecretRef(path, v.version())).require("password"));
      }
    }
    return passwords;
  }

  /** Runs rotations back to back while clients log in; returns the clients' counts. */
  static LoginLoad.Counts rotationsUnderLoad(
      String role, RotationStrategy strategy, int rotations, List<RotationResult> results)
      throws InterruptedException {
    LoginLoad load =
        LoginLoad.start(
            CLIENTS,
            store,
            RotationSecrets.path(TARGET, role),
            jdbcUrl(),
            "SELECT count(*) FROM orders");
    try {
      awaitLogins(load, 50);
      for (int i = 0; i < rotations; i++) {
        results.add(rotate(role, strategy, GRACE));
      }
      awaitLogins(load, load.counts().logins() + 50);
    } finally {
      load.stop();
    }
    return load.counts();
  }

  private static void awaitLogins(LoginLoad load, long atLeast) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(60);
    while (load.counts().logins() < atLeast && Instant.now().isBefore(deadline)) {
      Thread.sleep(20);
    }
  }

  // ---- the tests -------------------------------------------------------------------------------

  @Test
  @Order(1)
  void alternatingRotationsUnderLoadFailNoLogin() throws Exception {
    RotationResult first = rotate(GROUP, RotationStrategy.ALTERNATING, GRACE);
    assertEquals("app_a", first.renewedLogin());
    assertEquals(1, first.newVersion());
    assertEquals(null, first.expiredLogin());
    assertEquals(null, loginWith(GROUP, 1), "the first credential works");

    List<RotationResult> results = new ArrayList<>();
    LoginLoad.Counts counts = rotationsUnderLoad(GROUP, RotationStrategy.ALTERNATING, 3, results);
    log.info(
        "rotation under load (alternating, {}): {} logins, {} failed logins, {} other errors",
        getClass().getSimpleName(),
        counts.logins(),
        counts.failedLogins(),
        counts.otherErrors());

    assertEquals(0, counts.failedLogins(), "failed logins: " + counts.samples());
    assertEquals(0, counts.otherErrors(), "errors: " + counts.samples());
    assertTrue(counts.logins() > 100, "the clients logged in: " + counts);
    List<String> renewed = results.stream().map(RotationResult::renewedLogin).toList();
    assertEquals(List.of("app_b", "app_a", "app_b"), renewed);
    for (int i = 0; i < 3; i++) {
      RotationResult r = results.get(i);
      assertEquals(i + 2, r.newVersion());
      assertEquals(i + 1, r.previousVersion());
      assertEquals(r.previousLogin(), r.expiredLogin());
      assertTrue(r.rotationDuration().compareTo(Duration.ZERO) > 0);
    }
    assertEquals(null, loginWith(GROUP, 4), "the current credential works");
    assertEquals("28P01", loginWith(GROUP, 3), "the expired login's last password is refused");
  }

  @Test
  @Order(2)
  void singleRotationsUnderLoadAreCounted() throws Exception {
    RotationResult first = rotate(SERVICE, RotationStrategy.SINGLE, GRACE);
    assertEquals(SERVICE, first.renewedLogin());
    assertEquals(1, first.newVersion());

    List<RotationResult> results = new ArrayList<>();
    single = rotationsUnderLoad(SERVICE, RotationStrategy.SINGLE, 3, results);
    log.info(
        "rotation under load (single, {}): {} logins, {} failed logins, {} other errors",
        getClass().getSimpleName(),
        single.logins(),
        single.failedLogins(),
        single.otherErrors());

    assertEquals(List.of(2, 3, 4), results.stream().map(RotationResult::newVersion).toList());
    assertTrue(single.logins() > 100, "the clients logged in: " + single);
    assertEquals(null, loginWith(SERVICE, 4), "the current credential works");
    assertEquals("28P01", loginWith(SERVICE, 3), "single: the old password is refused at once");
  }

  @Test
  @Order(3)
  void aWrongAdminPasswordIsAnAuthenticationFailureThatChangesNothing() throws Exception {
    int before = currentVersion(GROUP);
    store.write(
        ADMIN_SECRET,
        Map.of("username", "postgres", "password", WRONG_PASSWORD),
        OptionalInt.empty());
    try {
      String id = nextId();
      ApplicationFailure failure =
          failedRotation(id, request(GROUP, RotationStrategy.ALTERNATING, GRACE));
      assertEquals("AUTHENTICATION", failure.getType(), failure.getOriginalMessage());
      assertTrue(failure.isNonRetryable());
      assertFalse(failure.getOriginalMessage().contains(WRONG_PASSWORD));
      assertEquals(Outcome.FAILED, progress(id).outcome());
    } finally {
      store.write(
          ADMIN_SECRET,
          Map.of("username", "postgres", "password", ADMIN_PASSWORD),
          OptionalInt.empty());
    }
    assertEquals(before, currentVersion(GROUP));
    assertEquals(null, loginWith(GROUP, before), "the current credential still works");
  }

  @Test
  @Order(4)
  void aRoleThatDoesNotExistIsNotFoundAndNothingIsCreated() throws Exception {
    String id = nextId();
    ApplicationFailure failure =
        failedRotation(id, request("nosuch", RotationStrategy.ALTERNATING, GRACE));

    assertEquals("NOT_FOUND", failure.getType());
    assertTrue(
        failure.getOriginalMessage().contains("role \"nosuch\" does not exist"),
        failure.getOriginalMessage());
    assertEquals("<no role>", rolpassword("nosuch_a"));
    assertThrows(
        SecretNotFoundException.class,
        () -> store.metadata(RotationSecrets.path(TARGET, "nosuch")));
  }

  @Test
  @Order(5)
  void aSecondRotationOfTheTargetIsRefusedAndAStaleWriteConflicts() throws Exception {
    int before = currentVersion(GROUP);
    String holder = nextId();
    WorkflowStub first =
        startRotation(holder, request(GROUP, RotationStrategy.ALTERNATING, Duration.ofSeconds(4)));
    Instant deadline = Instant.now().plusSeconds(60);
    while (!inGrace(holder) && Instant.now().isBefore(deadline)) {
      Thread.sleep(50);
    }
    assertTrue(inGrace(holder), "the first rotation reached its grace period");

    ApplicationFailure refused =
        failedRotation(nextId(), request(GROUP, RotationStrategy.ALTERNATING, GRACE));
    assertEquals("TARGET_LOCKED", refused.getType());
    assertTrue(refused.getOriginalMessage().contains(holder), refused.getOriginalMessage());

    // Past the lock, the store's check-and-set refuses a renewal that read a stale version.
    String login =
        store.read(SecretRef.latest(RotationSecrets.path(TARGET, GROUP))).require("username");
    String other = login.equals("app_a") ? "app_b" : "app_a";
    String verifierBefore = rolpassword(other);
    RotationActivitiesImpl activities = new RotationActivitiesImpl(connections, store);
    ApplicationFailure conflict =
        assertThrows(ApplicationFailure.class, () -> activities.renewLogin(renewal(other, before)));
    assertEquals("CONFLICT", conflict.getType(), conflict.getOriginalMessage());
    assertEquals(verifierBefore, rolpassword(other), "the stale renewal changed nothing");

    // The rollback never undoes a published login.
    String published = rolpassword(login);
    String kept = activities.restoreLogin(renewal(login, before));
    assertTrue(kept.startsWith("nothing to undo"), kept);
    assertEquals(published, rolpassword(login));

    RotationResult result = first.getResult(RotationResult.class);
    assertEquals(before + 1, result.newVersion());
    assertEquals(login, result.renewedLogin());
    assertEquals(other, result.expiredLogin());
    assertEquals(before + 1, currentVersion(GROUP), "exactly one rotation published");
    assertEquals(null, loginWith(GROUP, before + 1));

    // Nor does it touch a login that is expired already, as a put-back one is.
    String expired = rolpassword(other);
    String untouched = activities.restoreLogin(renewal(other, before + 1));
    assertTrue(untouched.contains("is expired"), untouched);
    assertEquals(expired, rolpassword(other));
  }

  private static RenewInput renewal(String login, int expectedVersion) {
    return new RenewInput(
        TARGET,
        GROUP,
        RotationStrategy.ALTERNATING,
        login,
        RotationSecrets.path(TARGET, GROUP),
        expectedVersion,
        "test/renew");
  }

  private static boolean inGrace(String id) {
    return progress(id).steps().stream()
        .anyMatch(s -> s.name().equals("grace") && s.state() == StepState.RUNNING);
  }

  @Test
  @Order(7)
  void aFirstRotationThatFailsAfterCreatingItsLoginsDropsThemOnRollback() throws Exception {
    // The only relation the role may read is a view whose owner may not read its table: the
    // test login fails (42501) after prepare created fresh_a and fresh_b.
    pg.primary()
        .execute(
            "shop",
            "CREATE ROLE fresh NOLOGIN",
            "CREATE ROLE fresh_view_owner NOLOGIN",
            "CREATE TABLE fresh_hidden (id int)",
            "REVOKE ALL ON fresh_hidden FROM PUBLIC",
            "CREATE VIEW fresh_view AS SELECT id FROM fresh_hidden",
            "ALTER VIEW fresh_view OWNER TO fresh_view_owner",
            "REVOKE ALL ON fresh_view FROM PUBLIC",
            "GRANT SELECT ON fresh_view TO fresh");
    String id = nextId();
    ApplicationFailure failure =
        failedRotation(id, request("fresh", RotationStrategy.ALTERNATING, GRACE));

    assertEquals("PERMISSION_DENIED", failure.getType(), failure.getOriginalMessage());
    RunbookProgress progress = progress(id);
    assertEquals(Outcome.ROLLED_BACK, progress.outcome(), progress.outcomeDetail());
    assertTrue(
        progress.steps().stream()
            .anyMatch(s -> s.name().equals("prepare") && s.state() == StepState.COMPENSATED),
        progress.steps().toString());
    assertEquals("<no role>", rolpassword("fresh_a"), "the login prepare created is gone");
    assertEquals("<no role>", rolpassword("fresh_b"), "the login prepare created is gone");
    assertEquals(0, currentVersion("fresh"), "nothing was published");
  }

  @Test
  @Order(100)
  void noGeneratedPasswordIsInAnyHistoryOrLogLine() {
    List<String> passwords = generatedPasswords();
    assertTrue(passwords.size() >= 9, "passwords read back: " + passwords.size());
    List<String> secrets = new ArrayList<>(passwords);
    secrets.add(ADMIN_PASSWORD);
    secrets.add(WRONG_PASSWORD);
    assertTrue(runs.size() >= 10, runs.toString());
    for (String id : runs) {
      SecretScan.assertNoSecrets(client(), id, secrets);
    }
    assertTrue(
        logLines.stream().anyMatch(l -> l.contains("renewed login app_b")),
        "the worker's log was captured");
    for (String line : logLines) {
      for (String secret : secrets) {
        assertFalse(line.contains(secret), "a password in the worker's log: " + line);
      }
    }
    assertNotNull(single);
  }
}
