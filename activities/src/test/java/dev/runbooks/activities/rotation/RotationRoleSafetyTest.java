package dev.runbooks.activities.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.config.ConfigException;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.postgres.ConfiguredConnections;
import dev.runbooks.activities.secrets.FileSecretStore;
import dev.runbooks.activities.secrets.Secret;
import dev.runbooks.activities.secrets.SecretMetadata;
import dev.runbooks.activities.secrets.SecretStore;
import dev.runbooks.activities.secrets.SecretStoreUnavailableException;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.workflows.rotation.DropLoginsInput;
import dev.runbooks.workflows.rotation.LoginPlan;
import dev.runbooks.workflows.rotation.RenewInput;
import dev.runbooks.workflows.rotation.RotationInput;
import dev.runbooks.workflows.rotation.RotationStrategy;
import dev.runbooks.workflows.shared.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotation publishes a password that logs in with the rotated role's powers, so it refuses a role
 * whose powers go beyond the application's privileges, before it changes anything.
 */
class RotationRoleSafetyTest {
  @RegisterExtension static final PostgresExtension pg = PostgresExtension.newPrimary();

  @TempDir static Path dir;

  static FileSecretStore store;

  @BeforeAll
  static void roles() throws Exception {
    pg.primary()
        .execute(
            "postgres",
            "CREATE ROLE svc LOGIN",
            "CREATE ROLE repl NOLOGIN REPLICATION",
            "CREATE ROLE builder NOLOGIN CREATEDB",
            "CREATE ROLE admins NOLOGIN SUPERUSER",
            "CREATE ROLE sneaky NOLOGIN IN ROLE admins",
            "CREATE ROLE files NOLOGIN IN ROLE pg_write_server_files",
            "CREATE ROLE shop NOLOGIN",
            "CREATE ROLE kept NOLOGIN",
            "CREATE ROLE crm NOLOGIN",
            "CREATE ROLE sealed NOLOGIN",
            "CREATE ROLE owned NOLOGIN",
            "CREATE ROLE owned_a LOGIN SUPERUSER IN ROLE owned");
    store = new FileSecretStore(dir.resolve("secrets.json"));
    store.write(
        "db/orders/admin", Map.of("username", "postgres", "password", "x"), OptionalInt.empty());
  }

  /** The activities of a target whose {@code rotation:} section is {@code rotationYaml}. */
  static RotationActivitiesImpl activities(String rotationYaml) throws Exception {
    return activities(rotationYaml, store);
  }

  /**
   * As above, with the rotated credentials in {@code rotated} (the admin secret stays in store).
   */
  static RotationActivitiesImpl activities(String rotationYaml, SecretStore rotated)
      throws Exception {
    Path file = Files.createTempFile(dir, "runbooks", ".yaml");
    Files.writeString(
        file,
        "targets:\n"
            + "  orders:\n"
            + "    primary: { host: 127.0.0.1, port: "
            + pg.primary().port()
            + ", database: postgres, sslmode: disable }\n"
            + "    admin: { secret: db/orders/admin }\n"
            + rotationYaml);
    var config = ConfigLoader.load(file, Map.of());
    return new RotationActivitiesImpl(
        new ConfiguredConnections(config, store), rotated, RotationTargets.fromConfig(config));
  }

  static RotationInput input(String role, RotationStrategy strategy) {
    return new RotationInput("orders", role, strategy, "rotate-test-" + role + "/prepare");
  }

  static List<String> roles(String like) throws Exception {
    List<String> names = new ArrayList<>();
    try (Connection c = pg.primary().connect("postgres");
        PreparedStatement s =
            c.prepareStatement("SELECT rolname FROM pg_roles WHERE rolname LIKE ? ORDER BY 1")) {
      s.setString(1, like);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
    }
    return names;
  }

  private static String refused(String role, RotationStrategy strategy) throws Exception {
    RotationActivitiesImpl activities = activities("");
    ApplicationFailure failure =
        assertThrows(
            ApplicationFailure.class, () -> activities.prepareLogins(input(role, strategy)));
    assertEquals("BAD_INPUT", failure.getType(), failure.getOriginalMessage());
    assertTrue(failure.isNonRetryable());
    assertEquals(List.of(), roles(role + "\\__"), "nothing was created");
    String message = failure.getOriginalMessage();
    assertTrue(message.contains("Nothing was changed"), message);
    assertTrue(message.contains("Fix:"), message);
    return message;
  }

  @Test
  void aSuperuserRoleIsRefusedBeforeAnyLoginIsCreated() throws Exception {
    String message = refused("postgres", RotationStrategy.ALTERNATING);
    assertTrue(message.contains("SUPERUSER"), message);
    assertTrue(message.contains("LOGIN"), message);
  }

  @Test
  void aSuperuserRoleIsRefusedByTheSingleStrategyToo() throws Exception {
    String message = refused("postgres", RotationStrategy.SINGLE);
    assertTrue(message.contains("SUPERUSER"), message);
  }

  @Test
  void aLoginRoleIsRefusedByTheAlternatingStrategy() throws Exception {
    String message = refused("svc", RotationStrategy.ALTERNATING);
    assertTrue(message.contains("LOGIN"), message);
    assertTrue(message.contains("--strategy single"), message);
  }

  @Test
  void aReplicationRoleIsRefused() throws Exception {
    String message = refused("repl", RotationStrategy.ALTERNATING);
    assertTrue(message.contains("REPLICATION"), message);
    assertFalse(message.contains("has SUPERUSER"), message);
  }

  @Test
  void aMemberOfASuperuserRoleIsRefused() throws Exception {
    String message = refused("sneaky", RotationStrategy.ALTERNATING);
    assertTrue(message.contains("is a member of admins (SUPERUSER)"), message);
  }

  @Test
  void aMemberOfAServerFileRoleIsRefused() throws Exception {
    String message = refused("files", RotationStrategy.ALTERNATING);
    assertTrue(message.contains("pg_write_server_files"), message);
  }

  @Test
  void createDbIsRefusedUnlessTheTargetAllowsIt() throws Exception {
    String message = refused("builder", RotationStrategy.ALTERNATING);
    assertTrue(message.contains("CREATEDB"), message);
    assertTrue(message.contains("allowRoleAttributes: [CREATEDB]"), message);

    RotationActivitiesImpl allowing =
        activities("    rotation: { allowRoleAttributes: [CREATEDB] }\n");
    var plan = allowing.prepareLogins(input("builder", RotationStrategy.ALTERNATING));
    assertEquals(List.of("builder_a", "builder_b"), plan.createdLogins());
    assertEquals(List.of("builder_a", "builder_b"), roles("builder\\__"));
  }

  @Test
  void anExistingLoginOfThePairWithPowersIsRefusedBeforeTheOtherIsCreated() throws Exception {
    RotationActivitiesImpl activities = activities("");
    ApplicationFailure failure =
        assertThrows(
            ApplicationFailure.class,
            () -> activities.prepareLogins(input("owned", RotationStrategy.ALTERNATING)));
    assertEquals("BAD_INPUT", failure.getType(), failure.getOriginalMessage());
    assertTrue(failure.getOriginalMessage().contains("\"owned_a\""), failure.getOriginalMessage());
    assertTrue(failure.getOriginalMessage().contains("SUPERUSER"), failure.getOriginalMessage());
    assertEquals(List.of("owned_a"), roles("owned\\__"), "owned_b was not created");
  }

  @Test
  void aRotationThatFailsAfterCreatingItsLoginsDropsThemOnRollback() throws Exception {
    RotationActivitiesImpl activities = activities("");
    RotationInput prepare = input("shop", RotationStrategy.ALTERNATING);
    LoginPlan plan = activities.prepareLogins(prepare);
    assertEquals(List.of("shop_a", "shop_b"), plan.createdLogins());
    // A second attempt of the same call finds its own logins and still reports them as created.
    assertEquals(plan, activities.prepareLogins(prepare));

    // Someone writes the secret meanwhile: the renewal fails after the logins were created.
    store.write(
        plan.secretPath(), Map.of("username", "other", "password", "y"), OptionalInt.empty());
    RenewInput renew =
        new RenewInput(
            "orders",
            "shop",
            RotationStrategy.ALTERNATING,
            plan.renewLogin(),
            plan.secretPath(),
            plan.currentVersion(),
            "rotate-test-shop/renew");
    ApplicationFailure failed =
        assertThrows(ApplicationFailure.class, () -> activities.renewLogin(renew));
    assertEquals("CONFLICT", failed.getType(), failed.getOriginalMessage());

    // The workflow's rollback, in its order: the renewal, then the logins.
    activities.restoreLogin(renew);
    DropLoginsInput drop =
        new DropLoginsInput(
            "orders", plan.secretPath(), plan.createdLogins(), "rotate-test-shop/prepare");
    assertEquals("dropped shop_a, shop_b", activities.dropCreatedLogins(drop));
    assertEquals(List.of(), roles("shop\\__"), "the logins are gone");
    String again = activities.dropCreatedLogins(drop);
    assertTrue(again.startsWith("nothing to undo"), again);
  }

  @Test
  void theRollbackKeepsLoginsItDidNotCreateOrThatArePublished() throws Exception {
    RotationActivitiesImpl activities = activities("");
    LoginPlan plan = activities.prepareLogins(input("kept", RotationStrategy.ALTERNATING));
    store.write(
        plan.secretPath(), Map.of("username", "kept_a", "password", "y"), OptionalInt.empty());

    String other =
        activities.dropCreatedLogins(
            new DropLoginsInput(
                "orders", plan.secretPath(), List.of("kept_b"), "another-run/prepare"));
    assertTrue(other.startsWith("nothing to undo"), other);
    assertTrue(other.contains("kept_b was not created by this run"), other);
    String published =
        activities.dropCreatedLogins(
            new DropLoginsInput(
                "orders", plan.secretPath(), plan.createdLogins(), "rotate-test-kept/prepare"));
    assertTrue(published.contains("kept_a is published as " + plan.secretPath() + "@1"), published);
    assertEquals(List.of("kept_a"), roles("kept\\__"));
  }

  @Test
  void superuserCannotBeAllowedInTheConfiguration() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> activities("    rotation: { allowRoleAttributes: [CREATEDB, SUPERUSER] }\n"));
    assertTrue(
        e.getMessage().contains("targets.orders.rotation.allowRoleAttributes"), e.getMessage());
    assertTrue(e.getMessage().contains("never published"), e.getMessage());
  }

  @Test
  void aRefusalOfTheServerIsAPermanentFailureNotARetry() throws Exception {
    RotationActivitiesImpl activities = activities("");
    LoginPlan plan = activities.prepareLogins(input("crm", RotationStrategy.ALTERNATING));
    pg.primary()
        .execute(
            "postgres", "CREATE TABLE crm_notes (id int)", "ALTER TABLE crm_notes OWNER TO crm_a");
    DropLoginsInput drop =
        new DropLoginsInput(
            "orders", plan.secretPath(), plan.createdLogins(), "rotate-test-crm/prepare");

    // 2BP01: the login owns a table. Retrying the same DROP ROLE gets the same answer.
    ApplicationFailure failure =
        assertThrows(ApplicationFailure.class, () -> activities.dropCreatedLogins(drop));
    assertEquals("SQL_ERROR", failure.getType(), failure.getOriginalMessage());
    assertTrue(failure.isNonRetryable());
    assertTrue(failure.getOriginalMessage().contains("2BP01"), failure.getOriginalMessage());
    assertTrue(
        failure.getOriginalMessage().contains("target orders"), failure.getOriginalMessage());
    assertEquals(List.of("crm_a", "crm_b"), roles("crm\\__"));
  }

  @Test
  void theRollbackLeavesItsLoginsWhenTheStoreCannotSayWhetherOneIsPublished() throws Exception {
    LoginPlan plan = activities("").prepareLogins(input("sealed", RotationStrategy.ALTERNATING));
    SecretStore sealedStore =
        new SecretStore() {
          private SecretStoreUnavailableException sealed() {
            return new SecretStoreUnavailableException(
                "http://vault", 503, List.of("Vault is sealed"), "Vault is sealed", null);
          }

          @Override
          public Secret read(SecretRef ref) {
            throw sealed();
          }

          @Override
          public int write(String path, Map<String, String> data, OptionalInt cas) {
            throw sealed();
          }

          @Override
          public SecretMetadata metadata(String path) {
            throw sealed();
          }
        };
    RotationActivitiesImpl activities = activities("", sealedStore);

    String left =
        activities.dropCreatedLogins(
            new DropLoginsInput(
                "orders", plan.secretPath(), plan.createdLogins(), "rotate-test-sealed/prepare"));
    assertTrue(left.contains("left sealed_a, sealed_b as they are"), left);
    assertEquals(List.of("sealed_a", "sealed_b"), roles("sealed\\__"));
  }
}
