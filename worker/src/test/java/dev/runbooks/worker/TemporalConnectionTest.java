package dev.runbooks.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.worker.TemporalConnection.Overrides;
import io.temporal.envconfig.ClientConfigProfile;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemporalConnectionTest {
  @TempDir Path dir;

  /** An environment with no Temporal settings and no temporal.toml. */
  private Map<String, String> bare() {
    return Map.of("TEMPORAL_CONFIG_FILE", dir.resolve("absent.toml").toString());
  }

  @Test
  void defaultsToLocalhostAndTheDefaultNamespace() {
    ClientConfigProfile profile = TemporalConnection.resolve(Overrides.none(), bare());
    assertEquals("127.0.0.1:7233", profile.getAddress());
    assertEquals("default", profile.getNamespace());
    assertNull(profile.getTls());
  }

  @Test
  void readsTemporalsEnvironmentVariables() {
    Map<String, String> env =
        Map.of(
            "TEMPORAL_CONFIG_FILE", dir.resolve("absent.toml").toString(),
            "TEMPORAL_ADDRESS", "temporal.example:7233",
            "TEMPORAL_NAMESPACE", "dba");
    ClientConfigProfile profile = TemporalConnection.resolve(Overrides.none(), env);
    assertEquals("temporal.example:7233", profile.getAddress());
    assertEquals("dba", profile.getNamespace());
  }

  @Test
  void readsTheProfileNamedByTemporalProfile() throws IOException {
    Path toml = dir.resolve("temporal.toml");
    Files.writeString(
        toml,
        "[profile.prod]\naddress = \"prod.example:7233\"\nnamespace = \"prod\"\n"
            + "[profile.default]\naddress = \"dev.example:7233\"\n");
    Map<String, String> env =
        Map.of("TEMPORAL_CONFIG_FILE", toml.toString(), "TEMPORAL_PROFILE", "prod");
    ClientConfigProfile profile = TemporalConnection.resolve(Overrides.none(), env);
    assertEquals("prod.example:7233", profile.getAddress());
    assertEquals("prod", profile.getNamespace());
  }

  @Test
  void commandLineOptionsWinOverTheEnvironment() throws IOException {
    Path cert = Files.writeString(dir.resolve("client.pem"), "cert");
    Path key = Files.writeString(dir.resolve("client.key"), "key");
    Path ca = Files.writeString(dir.resolve("ca.pem"), "ca");
    Map<String, String> env =
        Map.of(
            "TEMPORAL_CONFIG_FILE", dir.resolve("absent.toml").toString(),
            "TEMPORAL_ADDRESS", "env.example:7233",
            "TEMPORAL_NAMESPACE", "env-ns");
    ClientConfigProfile profile =
        TemporalConnection.resolve(new Overrides("cli.example:7233", "cli-ns", cert, key, ca), env);
    assertEquals("cli.example:7233", profile.getAddress());
    assertEquals("cli-ns", profile.getNamespace());
    assertNotNull(profile.getTls());
    assertEquals(cert.toString(), profile.getTls().getClientCertPath());
    assertEquals(key.toString(), profile.getTls().getClientKeyPath());
    assertEquals(ca.toString(), profile.getTls().getServerCACertPath());
  }

  @Test
  void refusesAnUnknownProfileNamingTheFix() {
    Map<String, String> env =
        Map.of(
            "TEMPORAL_CONFIG_FILE",
            dir.resolve("absent.toml").toString(),
            "TEMPORAL_PROFILE",
            "staging");
    TemporalSettingsException e =
        assertThrows(
            TemporalSettingsException.class,
            () -> TemporalConnection.resolve(Overrides.none(), env));
    assertTrue(e.getMessage().contains("staging"), e.getMessage());
    assertTrue(e.getMessage().contains("TEMPORAL_PROFILE"), e.getMessage());
  }

  @Test
  void refusesAnAddressWithoutAPort() {
    TemporalSettingsException e =
        assertThrows(
            TemporalSettingsException.class,
            () ->
                TemporalConnection.resolve(
                    new Overrides("temporal.example", null, null, null, null), bare()));
    assertTrue(e.getMessage().contains("HOST:PORT"), e.getMessage());
  }

  @Test
  void refusesACertificateWithoutItsKey() throws IOException {
    Path cert = Files.writeString(dir.resolve("client.pem"), "cert");
    TemporalSettingsException e =
        assertThrows(
            TemporalSettingsException.class,
            () -> TemporalConnection.resolve(new Overrides(null, null, cert, null, null), bare()));
    assertTrue(e.getMessage().contains("--tls-key"), e.getMessage());
  }

  @Test
  void refusesAMissingCaFile() {
    Path ca = dir.resolve("missing-ca.pem");
    TemporalSettingsException e =
        assertThrows(
            TemporalSettingsException.class,
            () -> TemporalConnection.resolve(new Overrides(null, null, null, null, ca), bare()));
    assertTrue(e.getMessage().contains(ca.toString()), e.getMessage());
  }

  @Test
  void namesTheAddressWhenNothingAnswers() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    String address = "127.0.0.1:" + closedPort;
    Instant before = Instant.now();
    TemporalUnreachableException e =
        assertThrows(
            TemporalUnreachableException.class,
            () ->
                TemporalConnection.connect(new Overrides(address, null, null, null, null), bare()));
    assertEquals(address, e.address());
    assertTrue(e.getMessage().contains(address), e.getMessage());
    assertTrue(
        Duration.between(before, Instant.now()).compareTo(Duration.ofSeconds(20)) < 0,
        "the health check gives up within seconds");
  }

  @Test
  void connectsToARunningService() {
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(0);
        TemporalConnection connection =
            TemporalConnection.connect(
                new Overrides(temporal.address(), null, null, null, null), bare())) {
      assertEquals(temporal.address(), connection.address());
      assertEquals("default", connection.namespace());
      assertEquals("default", connection.client().getOptions().getNamespace());
    }
  }
}
