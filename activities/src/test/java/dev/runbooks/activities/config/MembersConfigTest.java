package dev.runbooks.activities.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A target's servers as {@code members:}, the same as {@code primary:} and {@code replicas:}. */
class MembersConfigTest {
  @TempDir Path dir;

  private TargetConfig load(String servers) throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n  orders:\n" + servers + "    admin: { user: postgres }\n");
    return ConfigLoader.load(file, Map.of()).target("orders");
  }

  private ConfigException failure(String servers) {
    return assertThrows(ConfigException.class, () -> load(servers));
  }

  @Test
  void membersAreTheServersInOrderTheFirstGivingDatabaseAndSslmode() throws IOException {
    TargetConfig t =
        load(
            "    members:\n"
                + "      - { name: db1, host: db1, port: 5432, database: orders, sslmode: require }\n"
                + "      - { name: db2, host: db2, port: 5433 }\n");
    assertEquals(List.of("db1", "db2"), t.memberNames());
    assertEquals("db1", t.primaryName());
    assertEquals(new Endpoint("db2", 5433, "orders", "require"), t.member("db2").get().endpoint());
    assertEquals(List.of("db2"), t.replicaNames());
  }

  @Test
  void primaryAndReplicasAreMembersTooThePrimaryNamedPrimary() throws IOException {
    TargetConfig t =
        load(
            "    primary: { host: db1, database: orders }\n"
                + "    replicas: [ { name: db2, host: db2 } ]\n");
    assertEquals(List.of("primary", "db2"), t.memberNames());
    assertEquals(t.primary(), t.member("primary").get().endpoint());
  }

  @Test
  void membersBesidePrimaryIsRefusedWithTheFix() {
    ConfigException e =
        failure(
            "    primary: { host: db1, database: orders }\n"
                + "    members: [ { name: db2, host: db2, database: orders } ]\n");
    assertTrue(e.getMessage().contains("targets.orders.members"), e.getMessage());
    assertTrue(
        e.getMessage().contains("members: is set beside primary: or replicas:"), e.getMessage());
  }

  @Test
  void aMemberNameUsedTwiceIsRefusedAtItsIndex() {
    ConfigException e =
        failure(
            "    members:\n"
                + "      - { name: db1, host: db1, database: orders }\n"
                + "      - { name: db1, host: db2 }\n");
    assertTrue(e.getMessage().contains("targets.orders.members[1].name"), e.getMessage());
    assertTrue(e.getMessage().contains("\"db1\" is used twice"), e.getMessage());
  }

  @Test
  void aLaterMemberWithAnotherDatabaseIsRefused() {
    ConfigException e =
        failure(
            "    members:\n"
                + "      - { name: db1, host: db1, database: orders }\n"
                + "      - { name: db2, host: db2, database: billing }\n");
    assertTrue(e.getMessage().contains("targets.orders.members[1]"), e.getMessage());
    assertTrue(e.getMessage().contains("remove database:"), e.getMessage());
  }

  @Test
  void aReplicaCalledPrimaryIsRefused() {
    ConfigException e =
        failure(
            "    primary: { host: db1, database: orders }\n"
                + "    replicas: [ { name: primary, host: db2 } ]\n");
    assertTrue(e.getMessage().contains("\"primary\" is used twice"), e.getMessage());
  }
}
