package dev.runbooks.activities.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.backup.RetentionPolicy;
import dev.runbooks.workflows.shared.SecretRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {
  private static final Map<String, String> NO_ENV = Map.of();

  @TempDir Path dir;

  private static final String FULL =
      """
      targets:
        orders:
          primary:  { host: db1, port: 5432, database: orders, sslmode: verify-full }
          replicas: [ { name: db2, host: db2, port: 5432 }, { name: db3, host: db3 } ]
          admin:    { secret: db/orders/admin }
          migrations: migrations/orders
          production: true
          fourEyes: true
          approvalTimeout: PT2H
          retention: { keepLast: 3, keepWeekly: 4 }
        billing:
          primary:  { host: 10.0.0.7, port: 6432, database: billing }
          admin:    { user: postgres }
          production: false
      repository: s3://backups/prod/
      secrets:    file:///var/lib/runbooks/secrets.json
      encryption: local-keyset:keys/backup-keyset.json
      check:      { longTransaction: PT10M, lagWarnBytes: 1000, lagCriticalBytes: 2000 }
      retention:  { keepLast: 7, keepDaily: 14, keepWeekly: 8 }
      backupFreshness: PT26H
      """;

  private Path write(String yaml) throws IOException {
    Path file = dir.resolve("runbooks.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private RunbooksConfig load(String yaml) throws IOException {
    return ConfigLoader.load(write(yaml), NO_ENV);
  }

  private ConfigException failure(String yaml) throws IOException {
    return failure(yaml, NO_ENV);
  }

  private ConfigException failure(String yaml, Map<String, String> env) throws IOException {
    Path file = write(yaml);
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, env));
    assertEquals(file, e.file());
    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(". Fix: "), e.getMessage());
    return e;
  }

  private static void assertMentions(String text, String... parts) {
    for (String part : parts) {
      assertTrue(text.contains(part), () -> "expected \"" + part + "\" in: " + text);
    }
  }

  private static String target(String primary) {
    return "targets:\n  orders:\n    primary: " + primary + "\n    admin: { user: postgres }\n";
  }

  // --- a valid file

  @Test
  void readsAFullConfigurationIntoRecords() throws IOException {
    RunbooksConfig config = load(FULL);

    assertEquals(dir.resolve("runbooks.yaml"), config.file());
    assertEquals(List.of("orders", "billing"), List.copyOf(config.targets().keySet()));
    assertEquals(
        new TargetConfig(
            "orders",
            new Endpoint("db1", 5432, "orders", "verify-full"),
            List.of(new ReplicaConfig("db2", "db2", 5432), new ReplicaConfig("db3", "db3", 5432)),
            AdminConfig.ofSecret(new SecretRef("db/orders/admin", null)),
            dir.resolve("migrations/orders"),
            true,
            true,
            Duration.ofHours(2),
            new RetentionPolicy(3, 0, 4),
            Duration.ofHours(26),
            FailoverConfig.defaults("orders"),
            RotationConfig.defaults(),
            TargetConfig.PRIMARY),
        config.target("orders"));
    assertEquals(
        new TargetConfig(
            "billing",
            new Endpoint("10.0.0.7", 6432, "billing", "prefer"),
            List.of(),
            AdminConfig.ofUser("postgres"),
            null,
            false,
            false,
            Duration.ofHours(4),
            new RetentionPolicy(7, 14, 8),
            Duration.ofHours(26),
            FailoverConfig.defaults("billing"),
            RotationConfig.defaults(),
            TargetConfig.PRIMARY),
        config.target("billing"));
    assertEquals("s3://backups/prod", config.repository().uri());
    assertEquals("file:///var/lib/runbooks/secrets.json", config.secrets().uri());
    assertEquals(
        "local-keyset:" + dir.resolve("keys/backup-keyset.json"), config.encryption().uri());
    assertEquals(new CheckSettings(Duration.ofMinutes(10), 1000, 2000), config.check());
    assertEquals(dir, config.directory());
  }

  @Test
  void fillsDefaultsForWhatTheFileLeavesOut() throws IOException {
    RunbooksConfig config =
        load("targets:\n  a:\n    primary: { database: app }\n    admin: { user: postgres }\n");
    TargetConfig a = config.target("a");
    assertEquals(new Endpoint("localhost", 5432, "app", "prefer"), a.primary());
    assertEquals(List.of(), a.replicas());
    assertNull(a.migrations());
    assertTrue(a.production());
    assertFalse(a.fourEyes());
    assertEquals(Duration.ofHours(4), a.approvalTimeout());
    assertEquals(RetentionPolicy.keepEverything(), a.retention());
    assertNull(a.backupFreshness());
    assertNull(config.repository());
    assertNull(config.encryption());
    assertEquals("file://" + dir.resolve("secrets.json"), config.secrets().uri());
    assertEquals(
        new CheckSettings(Duration.ofMinutes(5), 16_777_216L, 1_073_741_824L), config.check());
  }

  @Test
  void migrationsMayBeAMappingWithTheVersionsDeclaredIrreversible() throws IOException {
    TargetConfig t =
        load(target("{ database: app }")
                + "    migrations: { path: vendor/sql, irreversible: [\"1.8\", 1_9+] }\n")
            .target("orders");
    assertEquals(dir.resolve("vendor/sql"), t.migrations());
    assertEquals(List.of("1.8", "1_9+"), t.irreversibleMigrations());
    assertEquals(
        List.of(),
        load(target("{ database: app }") + "    migrations: sql\n")
            .target("orders")
            .irreversibleMigrations());
    assertMentions(
        failure(
                target("{ database: app }")
                    + "    migrations: { path: sql, irreversible: [\"latest\"] }\n")
            .getMessage(),
        "targets.orders.migrations.irreversible",
        "\"latest\" is not a migration version",
        "\"1.9+\"");
    assertMentions(
        failure(target("{ database: app }") + "    migrations: { irreversible: [\"1\"] }\n")
            .getMessage(),
        "the migrations have no path");
  }

  @Test
  void resolvesRelativePathsAgainstTheConfigDirectoryNotTheWorkingDirectory() throws IOException {
    RunbooksConfig config =
        load(
            target("{ database: app }")
                + "repository: file://backups/../backups/here\n"
                + "secrets: file://s/secrets.json\n");
    assertEquals("file://" + dir.resolve("backups/here"), config.repository().uri());
    assertEquals("file://" + dir.resolve("s/secrets.json"), config.secrets().uri());
  }

  @Test
  void acceptsVaultSpecs() throws IOException {
    RunbooksConfig config =
        load(target("{ database: app }") + "secrets: vault\nencryption: vault-transit:backups\n");
    assertEquals("vault", config.secrets().uri());
    assertEquals("vault-transit:backups", config.encryption().uri());
    assertEquals(
        "vault://team/kv",
        load(target("{ database: app }") + "secrets: vault://team/kv\n").secrets().uri());
  }

  // --- the environment

  @Test
  void takesHostPortAndSslmodeFromLibpqVariablesWhenTheFileLeavesThemOut() throws IOException {
    Path file = write(target("{ database: app }") + "    replicas: [ { name: r1, host: r1 } ]\n");
    RunbooksConfig config =
        ConfigLoader.load(
            file, Map.of("PGHOST", "pg.internal", "PGPORT", "6543", "PGSSLMODE", "require"));
    TargetConfig t = config.target("orders");
    assertEquals(new Endpoint("pg.internal", 6543, "app", "require"), t.primary());
    assertEquals(new ReplicaConfig("r1", "r1", 6543), t.replicas().get(0));
    assertEquals(
        new Endpoint("r1", 6543, "app", "require"), t.replicas().get(0).endpoint(t.primary()));
  }

  @Test
  void valuesInTheFileWinOverLibpqVariables() throws IOException {
    Path file = write(target("{ host: db1, port: 5433, database: app, sslmode: disable }"));
    RunbooksConfig config =
        ConfigLoader.load(
            file, Map.of("PGHOST", "pg.internal", "PGPORT", "6543", "PGSSLMODE", "require"));
    assertEquals(new Endpoint("db1", 5433, "app", "disable"), config.target("orders").primary());
  }

  @Test
  void runbooksSecretsOverridesTheFile() throws IOException {
    Path file = write(target("{ database: app }") + "secrets: file:///from/file.json\n");
    assertEquals(
        "vault", ConfigLoader.load(file, Map.of("RUNBOOKS_SECRETS", "vault")).secrets().uri());
    assertEquals(
        "file:///from/env.json",
        ConfigLoader.load(file, Map.of("RUNBOOKS_SECRETS", "file:///from/env.json"))
            .secrets()
            .uri());
    assertEquals(
        "file://" + Path.of("rel.json").toAbsolutePath(),
        ConfigLoader.load(file, Map.of("RUNBOOKS_SECRETS", "file://rel.json")).secrets().uri());
  }

  @Test
  void refusesABadPgportOnlyWhenItIsUsed() throws IOException {
    ConfigException e = failure(target("{ database: app }"), Map.of("PGPORT", "abc"));
    assertEquals("targets.orders.primary.port", e.key());
    assertMentions(e.problem(), "PGPORT=abc is not a port (1-65535)");
    assertMentions(e.fix(), "PGPORT");

    Path file = write(target("{ port: 5432, database: app }"));
    assertEquals(
        5432, ConfigLoader.load(file, Map.of("PGPORT", "abc")).target("orders").primary().port());
  }

  @Test
  void refusesAPghostThatIsASocketDirectory() throws IOException {
    ConfigException e =
        failure(target("{ database: app }"), Map.of("PGHOST", "/var/run/postgresql"));
    assertEquals("targets.orders.primary.host", e.key());
    assertMentions(e.problem(), "PGHOST=\"/var/run/postgresql\"", "Unix socket");
    assertMentions(e.fix(), "set host:");
  }

  @Test
  void refusesABadPgsslmode() throws IOException {
    ConfigException e = failure(target("{ database: app }"), Map.of("PGSSLMODE", "on"));
    assertEquals("targets.orders.primary.sslmode", e.key());
    assertMentions(
        e.problem(), "PGSSLMODE=\"on\"", "disable allow prefer require verify-ca verify-full");
  }

  @Test
  void refusesABadRunbooksSecrets() throws IOException {
    ConfigException e = failure(target("{ database: app }"), Map.of("RUNBOOKS_SECRETS", "s3://x"));
    assertEquals("secrets", e.key());
    assertMentions(e.problem(), "RUNBOOKS_SECRETS=\"s3://x\"");
    assertMentions(e.fix(), "unset RUNBOOKS_SECRETS");
  }

  // --- locating the file

  @Test
  void locatesTheFileFromTheOptionThenTheEnvironmentThenTheWorkingDirectory() {
    Map<String, String> env = Map.of("RUNBOOKS_CONFIG", "/etc/runbooks/env.yaml");
    assertEquals(Path.of("/opt/opt.yaml"), ConfigLoader.locate("/opt/opt.yaml", env));
    assertEquals(Path.of("/etc/runbooks/env.yaml"), ConfigLoader.locate(null, env));
    assertEquals(Path.of("runbooks.yaml"), ConfigLoader.locate(null, Map.of()));
    assertEquals(
        Path.of("runbooks.yaml"), ConfigLoader.locate(null, Map.of("RUNBOOKS_CONFIG", "")));
  }

  // --- the file itself

  @Test
  void reportsAMissingFileWithWhereItLooked() {
    Path missing = dir.resolve("nope.yaml");
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.load(missing, NO_ENV));
    assertEquals(missing, e.file());
    assertNull(e.key());
    assertMentions(e.getMessage(), missing + ": no such file");
    assertMentions(e.fix(), "--config FILE", "RUNBOOKS_CONFIG");
  }

  @Test
  void reportsAnUnreadableFile() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir, NO_ENV));
    assertEquals(dir, e.file());
    assertMentions(e.problem(), "is a directory");
    assertMentions(e.fix(), "--config " + dir.resolve("runbooks.yaml"));
  }

  @Test
  void reportsInvalidYamlWithLineAndColumn() throws IOException {
    ConfigException e = failure("targets:\n  orders:\n    primary: { host: db1\n    admin: [\n");
    assertNull(e.key());
    assertMentions(e.problem(), "not valid YAML at line ", ", column ");
    assertMentions(e.fix(), "correct the YAML");
  }

  @Test
  void reportsTabIndentationAsInvalidYaml() throws IOException {
    ConfigException e = failure("targets:\n\torders: {}\n");
    assertMentions(e.problem(), "not valid YAML at line 2, column 1: ", "TAB");
  }

  @Test
  void reportsADuplicateKey() throws IOException {
    ConfigException e =
        failure(target("{ database: a }") + "  orders:\n    primary: { database: b }\n");
    assertNull(e.key());
    assertMentions(e.problem(), "the key \"orders\" appears twice in one mapping at line 5");
    assertMentions(e.fix(), "keep one of them");
  }

  // --- unknown keys

  @Test
  void namesAnUnknownKeyAndTheAllowedOnes() throws IOException {
    ConfigException e =
        failure("targets:\n  orders:\n    primry: { database: app }\n    admin: { user: x }\n");
    assertEquals("targets.orders.primry", e.key());
    assertMentions(
        e.problem(),
        "unknown key \"primry\"",
        "at line 3",
        "allowed keys here: primary, replicas, admin, migrations, production, fourEyes,"
            + " approvalTimeout");
    assertMentions(e.fix(), "did you mean \"primary\"?");
  }

  @Test
  void namesUnknownKeysInsideListsAndAtTheTop() throws IOException {
    ConfigException inList =
        failure(
            target("{ database: app }")
                + "    replicas: [ { name: r1, host: r1 }, { name: r2, hots: r2 } ]\n");
    assertEquals("targets.orders.replicas[1].hots", inList.key());
    assertMentions(inList.problem(), "allowed keys here: name, host, port");
    assertMentions(inList.fix(), "\"host\"");

    ConfigException top = failure(target("{ database: app }") + "four_eyes: true\n");
    assertEquals("four_eyes", top.key());
    assertMentions(
        top.problem(), "allowed keys here: targets, repository, secrets, encryption, check");
    assertMentions(top.fix(), "remove the key");
  }

  @Test
  void suggestsTheKeyAnotherSpellingMeans() throws IOException {
    ConfigException e =
        failure(target("{ database: app }").replace("    admin", "    four_eyes: true\n    admin"));
    assertEquals("targets.orders.four_eyes", e.key());
    assertMentions(e.fix(), "did you mean \"fourEyes\"?");
  }

  @Test
  void reportsAListWhereAMappingBelongs() throws IOException {
    ConfigException e = failure(target("[ db1 ]"));
    assertEquals("targets.orders.primary", e.key());
    assertMentions(e.problem(), "expected a mapping with the keys host, port, database, sslmode");
    assertMentions(e.problem(), "found a list");
  }

  // --- targets

  @Test
  void requiresAtLeastOneTarget() throws IOException {
    for (String yaml :
        List.of("", "# nothing yet\n", "targets:\n", "targets: {}\n", "secrets: vault\n")) {
      ConfigException e = failure(yaml);
      assertEquals("targets", e.key(), yaml);
      assertMentions(e.problem(), "no targets are configured");
      assertMentions(e.fix(), "primary: { host: db1");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"Orders", "-orders", "or ders", "orders!", "_x"})
  void refusesABadTargetName(String name) throws IOException {
    ConfigException e =
        failure(
            "targets:\n  '" + name + "':\n    primary: { database: a }\n    admin: { user: x }\n");
    assertEquals("targets." + name, e.key());
    assertMentions(e.problem(), "is not a valid target name", "lowercase letters, digits");
    assertMentions(e.fix(), "rename it");
  }

  @Test
  void refusesATargetWithoutAPrimary() throws IOException {
    ConfigException e = failure("targets:\n  orders:\n    admin: { user: x }\n");
    assertEquals("targets.orders.primary", e.key());
    assertMentions(e.problem(), "no primary");
    assertMentions(e.fix(), "add primary: { host: HOST");
  }

  @Test
  void refusesATargetWithoutSettings() throws IOException {
    ConfigException e = failure("targets:\n  orders:\n");
    assertEquals("targets.orders", e.key());
    assertMentions(e.problem(), "no settings");
  }

  @Test
  void refusesAPrimaryWithoutADatabase() throws IOException {
    ConfigException e = failure(target("{ host: db1 }"));
    assertEquals("targets.orders.primary.database", e.key());
    assertMentions(e.problem(), "no database");
    assertMentions(e.fix(), "add database: NAME");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "70000", "abc", "-1", "5432.5", "''"})
  void refusesABadPort(String port) throws IOException {
    ConfigException e = failure(target("{ host: db1, port: " + port + ", database: a }"));
    assertEquals("targets.orders.primary.port", e.key());
    assertMentions(e.problem(), "is not a port (1-65535)");
    assertEquals("set a port between 1 and 65535.", e.fix());
  }

  @Test
  void wordsABadPortAsTheBriefShows() throws IOException {
    ConfigException e = failure(target("{ host: db1, port: 70000, database: a }"));
    assertEquals(
        dir.resolve("runbooks.yaml")
            + ": targets.orders.primary.port: 70000 is not a port (1-65535). Fix: set a port"
            + " between 1 and 65535.",
        e.getMessage());
  }

  @Test
  void refusesABadSslmode() throws IOException {
    ConfigException e = failure(target("{ database: a, sslmode: verify }"));
    assertEquals("targets.orders.primary.sslmode", e.key());
    assertMentions(
        e.problem(),
        "\"verify\" is not an sslmode; allowed: disable allow prefer require verify-ca verify-full");
    assertMentions(e.fix(), "set sslmode to one of those");
  }

  @Test
  void refusesAMalformedSecretReference() throws IOException {
    ConfigException e =
        failure(
            "targets:\n  orders:\n    primary: { database: a }\n    admin: { secret: /db//x@0 }\n");
    assertEquals("targets.orders.admin.secret", e.key());
    assertMentions(e.problem(), "/db//x");
    assertMentions(e.fix(), "db/orders/admin@3");
  }

  @Test
  void refusesAnAdminWithNeitherSecretNorUser() throws IOException {
    for (String admin : List.of("    admin: {}\n", "")) {
      ConfigException e = failure("targets:\n  orders:\n    primary: { database: a }\n" + admin);
      assertEquals("targets.orders.admin", e.key());
      assertMentions(e.problem(), "neither", "no secret and no user");
      assertMentions(e.fix(), "admin: { secret: db/NAME/admin }", "admin: { user: postgres }");
    }
  }

  @Test
  void refusesAnAdminWithBothSecretAndUser() throws IOException {
    ConfigException e =
        failure(
            "targets:\n  orders:\n    primary: { database: a }\n"
                + "    admin: { secret: db/a, user: postgres }\n");
    assertEquals("targets.orders.admin", e.key());
    assertMentions(e.problem(), "both secret and user");
    assertMentions(e.fix(), "keep one of them");
  }

  @Test
  void refusesDuplicateReplicaNames() throws IOException {
    ConfigException e =
        failure(
            target("{ host: db1, database: a }")
                + "    replicas:\n      - { name: r, host: db2 }\n      - { name: r, host: db3 }\n");
    assertEquals("targets.orders.replicas[1].name", e.key());
    assertMentions(e.problem(), "\"r\" is used twice");
    assertMentions(e.fix(), "give each replica its own name");
  }

  @Test
  void refusesAReplicaWithoutNameOrHostOrAtThePrimarysAddress() throws IOException {
    ConfigException noName =
        failure(target("{ database: a }") + "    replicas: [ { host: db2 } ]\n");
    assertEquals("targets.orders.replicas[0].name", noName.key());
    assertMentions(noName.problem(), "no name");

    ConfigException noHost = failure(target("{ database: a }") + "    replicas: [ { name: r } ]\n");
    assertEquals("targets.orders.replicas[0].host", noHost.key());
    assertMentions(noHost.problem(), "no host");

    ConfigException same =
        failure(
            target("{ host: db1, database: a }") + "    replicas: [ { name: r, host: db1 } ]\n");
    assertEquals("targets.orders.replicas[0]", same.key());
    assertMentions(same.problem(), "the primary's address db1:5432");

    ConfigException badPort =
        failure(target("{ database: a }") + "    replicas: [ { name: r, host: h, port: 0 } ]\n");
    assertEquals("targets.orders.replicas[0].port", badPort.key());
  }

  @Test
  void refusesABadBoolean() throws IOException {
    ConfigException e = failure(target("{ database: a }") + "    production: yes\n");
    assertEquals("targets.orders.production", e.key());
    assertMentions(e.problem(), "\"yes\" is not true or false");
  }

  // --- repository, secrets, encryption

  @ParameterizedTest
  @ValueSource(strings = {"http://backups", "ftp://x/y", "backups", "/var/lib/runbooks/backups"})
  void refusesABadRepositoryScheme(String repository) throws IOException {
    ConfigException e = failure(target("{ database: a }") + "repository: " + repository + "\n");
    assertEquals("repository", e.key());
    assertMentions(e.problem(), "is not a backup repository; expected file://... or s3://...");
    assertMentions(e.fix(), "file://");
  }

  @Test
  void suggestsAFileUriForABareRepositoryPath() throws IOException {
    ConfigException e = failure(target("{ database: a }") + "repository: /srv/b\n");
    assertEquals("write file:///srv/b for a local directory.", e.fix());
  }

  @Test
  void refusesABadS3Bucket() throws IOException {
    ConfigException e = failure(target("{ database: a }") + "repository: s3://Big_Bucket/x\n");
    assertEquals("repository", e.key());
    assertMentions(e.problem(), "\"Big_Bucket\" is not an S3 bucket name");
  }

  @Test
  void refusesABadSecretsSpec() throws IOException {
    ConfigException e = failure(target("{ database: a }") + "secrets: /var/lib/secrets.json\n");
    assertEquals("secrets", e.key());
    assertMentions(
        e.problem(), "is not a secret store; expected file://PATH, vault or vault://MOUNT");
  }

  @ParameterizedTest
  @ValueSource(strings = {"tink:/k.json", "vault-transit:", "vault-transit:a b", "local-keyset:"})
  void refusesABadEncryptionSpec(String spec) throws IOException {
    ConfigException e = failure(target("{ database: a }") + "encryption: '" + spec + "'\n");
    assertEquals("encryption", e.key());
    assertFalse(e.fix().isBlank());
  }

  @Test
  void namesTheAllowedEncryptionSpecs() throws IOException {
    ConfigException e = failure(target("{ database: a }") + "encryption: aes\n");
    assertMentions(e.problem(), "expected local-keyset:PATH or vault-transit:NAME");
    assertMentions(e.fix(), "local-keyset:/var/lib/runbooks/backup-keyset.json");
  }

  // --- durations and numbers

  @ParameterizedTest
  @ValueSource(strings = {"4h", "PT4X", "four hours", "PT0S", "-PT1H"})
  void refusesABadDuration(String duration) throws IOException {
    ConfigException e =
        failure(target("{ database: a }") + "    approvalTimeout: '" + duration + "'\n");
    assertEquals("targets.orders.approvalTimeout", e.key());
    assertMentions(e.fix(), "PT4H");
  }

  @Test
  void refusesABadCheckSetting() throws IOException {
    ConfigException duration =
        failure(target("{ database: a }") + "check: { longTransaction: 5m }\n");
    assertEquals("check.longTransaction", duration.key());
    assertMentions(duration.problem(), "\"5m\" is not an ISO-8601 duration");

    ConfigException bytes = failure(target("{ database: a }") + "check: { lagWarnBytes: 16MB }\n");
    assertEquals("check.lagWarnBytes", bytes.key());
    assertMentions(bytes.problem(), "16MB is not a byte count");

    ConfigException order =
        failure(target("{ database: a }") + "check: { lagWarnBytes: 10, lagCriticalBytes: 5 }\n");
    assertEquals("check.lagWarnBytes", order.key());
    assertMentions(order.problem(), "above lagCriticalBytes");
  }

  // --- backup retention and freshness

  @Test
  void aTargetsRetentionAndFreshnessReplaceTheTopLevelOnes() throws IOException {
    RunbooksConfig config =
        load(
            "targets:\n"
                + "  a:\n"
                + "    primary: { database: a }\n"
                + "    admin: { user: postgres }\n"
                + "    retention: { keepDaily: 3 }\n"
                + "    backupFreshness: P2D\n"
                + "  b:\n"
                + "    primary: { database: b }\n"
                + "    admin: { user: postgres }\n"
                + "retention: { keepLast: 10 }\n"
                + "backupFreshness: PT26H\n");
    // Replaced whole: a's keepLast is off, not the top level's 10.
    assertEquals(new RetentionPolicy(0, 3, 0), config.target("a").retention());
    assertEquals(Duration.ofDays(2), config.target("a").backupFreshness());
    assertEquals(new RetentionPolicy(10, 0, 0), config.target("b").retention());
    assertEquals(Duration.ofHours(26), config.target("b").backupFreshness());
  }

  @Test
  void walFreshnessIsTheTargetsElseTheTopLevelsAndTheSlotLimitIsACheckSetting() throws IOException {
    RunbooksConfig config =
        load(
            "targets:\n"
                + "  a:\n"
                + "    primary: { database: a }\n"
                + "    admin: { user: postgres }\n"
                + "    walFreshness: PT1M\n"
                + "  b:\n"
                + "    primary: { database: b }\n"
                + "    admin: { user: postgres }\n"
                + "walFreshness: PT5M\n"
                + "check: { slotRetainedWarnBytes: 2147483648 }\n");
    assertEquals(Duration.ofMinutes(1), config.target("a").walFreshness());
    assertEquals(Duration.ofMinutes(5), config.target("b").walFreshness());
    assertEquals(2L << 30, config.check().slotRetainedWarnBytes());
    assertNull(load(target("{ database: app }")).target("orders").walFreshness());
  }

  @Test
  void refusesARetentionThatKeepsNothing() throws IOException {
    ConfigException top = failure(target("{ database: a }") + "retention: { keepLast: 0 }\n");
    assertEquals("retention", top.key());
    assertMentions(top.problem(), "keeps nothing", "delete every backup");
    assertMentions(top.fix(), "keepLast: 7");

    ConfigException empty = failure(target("{ database: a }") + "    retention: {}\n");
    assertEquals("targets.orders.retention", empty.key());
    assertMentions(empty.problem(), "keeps nothing");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "seven", "1.5", "99999999999"})
  void refusesARetentionCountThatIsNotAWholeNumber(String count) throws IOException {
    ConfigException e =
        failure(target("{ database: a }") + "    retention: { keepWeekly: '" + count + "' }\n");
    assertEquals("targets.orders.retention.keepWeekly", e.key());
    assertMentions(e.problem(), "\"" + count + "\" is not a number of backups");
    assertMentions(e.fix(), "0 turns the rule off");
  }

  @Test
  void namesAnUnknownRetentionRule() throws IOException {
    ConfigException e =
        failure(target("{ database: a }") + "retention: { keepMonthly: 12, keepLast: 3 }\n");
    assertMentions(e.problem(), "unknown key \"keepMonthly\"");
  }

  @Test
  void refusesABadBackupFreshness() throws IOException {
    ConfigException top = failure(target("{ database: a }") + "backupFreshness: 26h\n");
    assertEquals("backupFreshness", top.key());
    assertMentions(top.problem(), "\"26h\" is not an ISO-8601 duration");

    ConfigException target = failure(target("{ database: a }") + "    backupFreshness: PT0S\n");
    assertEquals("targets.orders.backupFreshness", target.key());
    assertMentions(target.problem(), "not longer than zero");
  }

  // --- looking targets up

  @Test
  void namesTheKnownTargetsForAnUnknownOne() throws IOException {
    RunbooksConfig config = load(FULL);
    ConfigException e = assertThrows(ConfigException.class, () -> config.target("foo"));
    assertEquals("targets", e.key());
    assertMentions(e.getMessage(), "unknown target \"foo\"; known targets: orders, billing. Fix: ");
  }

  @Test
  void keepsTheTargetsImmutable() throws IOException {
    RunbooksConfig config = load(FULL);
    assertThrows(UnsupportedOperationException.class, () -> config.targets().remove("orders"));
    assertThrows(
        UnsupportedOperationException.class, () -> config.target("orders").replicas().remove(0));
  }
}
