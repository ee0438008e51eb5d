package dev.runbooks.activities.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stand-in's answers, read as raw HTTP, have the shapes of Vault's API documentation, not just
 * the fields this project's client happens to read.
 */
class VaultStandInTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private VaultStandIn vault;

  @BeforeEach
  void start() {
    vault = VaultStandIn.start();
  }

  @AfterEach
  void stop() {
    vault.close();
  }

  private record Answer(int status, JsonNode body) {}

  private Answer call(String method, String path, String token, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(vault.address() + path));
    if (token != null) {
      request.header("X-Vault-Token", token);
    }
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(
        "application/json", response.headers().firstValue("Content-Type").orElse(""), path);
    return new Answer(response.statusCode(), JSON.readTree(response.body()));
  }

  @Test
  void answersKvVersion2LikeVault() throws Exception {
    String root = vault.rootToken();
    Answer first = call("POST", "/v1/secret/data/app/db", root, "{\"data\":{\"password\":\"p1\"}}");
    assertEquals(200, first.status());
    assertEquals(1, first.body().path("data").path("version").asInt());
    assertEquals("", first.body().path("data").path("deletion_time").asText());
    assertFalse(first.body().path("data").path("destroyed").asBoolean(true));
    Instant.parse(first.body().path("data").path("created_time").asText());
    assertEquals("", first.body().path("lease_id").asText());
    assertTrue(first.body().has("request_id") && first.body().has("wrap_info"));

    Answer second =
        call(
            "POST",
            "/v1/secret/data/app/db",
            root,
            "{\"options\":{\"cas\":1},\"data\":{\"password\":\"p2\"}}");
    assertEquals(2, second.body().path("data").path("version").asInt());
    Answer stale =
        call(
            "POST",
            "/v1/secret/data/app/db",
            root,
            "{\"options\":{\"cas\":1},\"data\":{\"password\":\"p3\"}}");
    assertEquals(400, stale.status());
    assertEquals(
        "check-and-set parameter did not match the current version",
        stale.body().path("errors").path(0).asText());

    Answer latest = call("GET", "/v1/secret/data/app/db", root, null);
    assertEquals("p2", latest.body().path("data").path("data").path("password").asText());
    assertEquals(2, latest.body().path("data").path("metadata").path("version").asInt());
    Answer v1 = call("GET", "/v1/secret/data/app/db?version=1", root, null);
    assertEquals("p1", v1.body().path("data").path("data").path("password").asText());
    Answer missing = call("GET", "/v1/secret/data/app/db?version=3", root, null);
    assertEquals(404, missing.status());
    assertEquals(0, missing.body().path("errors").size());

    Answer metadata = call("GET", "/v1/secret/metadata/app/db", root, null);
    JsonNode data = metadata.body().path("data");
    assertEquals(2, data.path("current_version").asInt());
    assertEquals(2, data.path("versions").size());
    Instant.parse(data.path("versions").path("1").path("created_time").asText());
    assertFalse(data.path("cas_required").asBoolean(true));
    assertEquals(0, data.path("max_versions").asInt(-1));
  }

  @Test
  void refusesUnknownTokensAndAnswersSealedWhenSealed() throws Exception {
    Answer denied = call("GET", "/v1/secret/data/app/db", "hvs.unknown", null);
    assertEquals(403, denied.status());
    assertEquals("permission denied", denied.body().path("errors").path(0).asText());
    assertEquals(403, call("GET", "/v1/secret/data/app/db", null, null).status());

    vault.seal();
    Answer sealed = call("GET", "/v1/secret/data/app/db", vault.rootToken(), null);
    assertEquals(503, sealed.status());
    assertEquals("Vault is sealed", sealed.body().path("errors").path(0).asText());
    vault.unseal();
    assertEquals(404, call("GET", "/v1/secret/data/app/db", vault.rootToken(), null).status());
  }

  @Test
  void logsInWithAppRoleLikeVault() throws Exception {
    VaultStandIn.AppRole role = vault.createAppRole("runbooks");
    Answer login =
        call(
            "POST",
            "/v1/auth/approle/login",
            null,
            "{\"role_id\":\"" + role.roleId() + "\",\"secret_id\":\"" + role.secretId() + "\"}");
    assertEquals(200, login.status());
    JsonNode auth = login.body().path("auth");
    String token = auth.path("client_token").asText();
    assertTrue(token.startsWith("hvs."), token);
    assertEquals("default", auth.path("policies").path(0).asText());
    assertEquals("runbooks", auth.path("metadata").path("role_name").asText());
    assertTrue(auth.path("renewable").asBoolean());
    assertTrue(auth.path("lease_duration").asInt() > 0);
    assertTrue(login.body().path("data").isNull());
    assertEquals(404, call("GET", "/v1/secret/data/x", token, null).status());

    Answer wrong =
        call(
            "POST",
            "/v1/auth/approle/login",
            null,
            "{\"role_id\":\"" + role.roleId() + "\",\"secret_id\":\"nope\"}");
    assertEquals(400, wrong.status());
    assertEquals("invalid role or secret ID", wrong.body().path("errors").path(0).asText());
    assertFalse(role.toString().contains(role.secretId()));
  }
}
