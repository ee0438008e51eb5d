package dev.runbooks.activities.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.github.jopenlibs.vault.EnvironmentLoader;
import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.api.WriteOptions;
import io.github.jopenlibs.vault.response.AuthResponse;
import io.github.jopenlibs.vault.response.LogicalResponse;
import java.io.IOException;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logged-in connection to Vault's HTTP API through vault-java-driver, shared by {@link
 * VaultSecretStore} and the backup transit key. It owns the token (a static one, or one from an
 * AppRole login made on first use and made again, once, when Vault answers 403 because it expired),
 * the TLS setup, and the translation of failures:
 *
 * <ul>
 *   <li>403: {@link SecretStoreAccessDeniedException} naming the path and the credentials to check
 *   <li>5xx (503 when sealed), 429, a refused connection, a timeout: {@link
 *       SecretStoreUnavailableException} naming the address, to be retried
 *   <li>a TLS failure: {@link SecretStoreException} saying to set {@code VAULT_CACERT}
 *   <li>anything else, including other 4xx: a {@link Reply} for the caller to judge
 * </ul>
 *
 * <p>The driver makes a KV v2 path ({@code secret/db/a} to {@code secret/data/db/a}) and sends
 * check-and-set options; a second driver instance configured for KV version 1 sends every other
 * path unchanged (KV v2 metadata, transit), because the driver has no call for those.
 *
 * <p>No token, secret id or secret value goes into a message or a log line.
 */
public final class VaultClient {
  private static final Logger log = LoggerFactory.getLogger(VaultClient.class);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final VaultSettings settings;
  private final HttpClient http;
  private final VaultErrors errors;
  private final Object loginLock = new Object();
  private volatile Session session;

  /** The driver instances for one token. */
  private record Session(String token, Vault kv, Vault plain) {
    @Override
    public String toString() {
      return "Session[token hidden]";
    }
  }

  /** One answer from Vault: its status, its {@code data} object and its {@code errors}. */
  public record Reply(int status, JsonNode body, List<String> errors) {
    public Reply {
      Objects.requireNonNull(body, "body");
      errors = List.copyOf(errors);
    }

    /** The response's {@code data} object; a missing node when there is none. */
    public JsonNode data() {
      return body.path("data");
    }

    public boolean ok() {
      return status >= 200 && status < 300;
    }

    /** Vault's errors as one line, or "no error text" when it gave none. */
    public String errorText() {
      return errors.isEmpty() ? "no error text" : String.join("; ", errors);
    }

    /** The status and errors only: the body of a read holds secret values. */
    @Override
    public String toString() {
      return "Reply[status=" + status + ", errors=" + errors + "]";
    }
  }

  @FunctionalInterface
  private interface Call {
    LogicalResponse send(Session session) throws VaultException;
  }

  /**
   * A client for {@code settings}. Makes no request yet.
   *
   * @throws IllegalArgumentException when the settings lack an address or credentials, or the CA
   *     file cannot be read
   */
  public VaultClient(VaultSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    settings.validate();
    this.errors = new VaultErrors(settings);
    this.http =
        HttpClient.newBuilder()
            // Vault Agent cannot proxy h2c: stay on HTTP/1.1 like the driver does.
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(settings.timeout())
            .sslContext(VaultTlsContext.of(settings))
            .build();
    if (settings.tls().skipVerify()) {
      log.warn(
          "TLS verification of Vault at {} is off (VAULT_SKIP_VERIFY): anyone on the network"
              + " path can read the secrets; use VAULT_CACERT instead outside of tests",
          settings.address());
    }
    if (settings.auth() instanceof VaultAuth.Token token) {
      session = session(token.token());
    }
  }

  public VaultSettings settings() {
    return settings;
  }

  /** Vault's address, for messages. */
  public String address() {
    return settings.address();
  }

  /** Reads a secret from the KV v2 mount: the latest version, or {@code version}. */
  Reply kvRead(String path, Integer version) {
    String resource = settings.mounts().kv() + "/data/" + path;
    String full = settings.mounts().kv() + "/" + path;
    return send(
        resource,
        "read",
        session ->
            version == null
                ? session.kv().logical().read(full)
                : session.kv().logical().read(full, true, version));
  }

  /** Writes a version of a secret to the KV v2 mount, with check-and-set when {@code cas}. */
  Reply kvWrite(String path, Map<String, String> data, OptionalInt cas) {
    String resource = settings.mounts().kv() + "/data/" + path;
    String full = settings.mounts().kv() + "/" + path;
    Map<String, Object> values = new HashMap<>(data);
    return send(
        resource,
        "write",
        session ->
            cas.isPresent()
                ? session
                    .kv()
                    .logical()
                    .write(
                        full,
                        values,
                        null,
                        new WriteOptions().checkAndSet((long) cas.getAsInt()).build())
                : session.kv().logical().write(full, values));
  }

  /** Reads a secret's metadata (its versions) from the KV v2 mount. */
  Reply kvMetadata(String path) {
    return read(settings.mounts().kv() + "/metadata/" + path);
  }

  /**
   * {@code GET /v1/<apiPath>}.
   *
   * @throws SecretStoreAccessDeniedException on 403, after one fresh AppRole login
   * @throws SecretStoreUnavailableException when Vault is unreachable, sealed or failing
   */
  public Reply read(String apiPath) {
    return send(apiPath, "read", session -> session.plain().logical().read(apiPath));
  }

  /**
   * {@code POST /v1/<apiPath>} with {@code body} as its JSON object, such as a transit encrypt.
   *
   * @throws SecretStoreAccessDeniedException on 403, after one fresh AppRole login
   * @throws SecretStoreUnavailableException when Vault is unreachable, sealed or failing
   */
  public Reply write(String apiPath, Map<String, Object> body) {
    return send(apiPath, "write", session -> session.plain().logical().write(apiPath, body));
  }

  @Override
  public String toString() {
    return "VaultClient[" + settings + "]";
  }

  private Reply send(String resource, String verb, Call call) {
    Session current = currentSession(resource);
    Reply reply = attempt(current, resource, call);
    if (reply.status() == 403 && settings.appRole()) {
      // An AppRole token expires; one fresh login tells an expired token from a real refusal.
      log.info(
          "Vault at {} refused the AppRole token for {}; logging in again", address(), resource);
      Session fresh = relogin(current, resource);
      reply = attempt(fresh, resource, call);
    }
    if (reply.status() == 403) {
      throw new SecretStoreAccessDeniedException(
          resource,
          "Vault at "
              + address()
              + " denied the "
              + verb
              + " of "
              + resource
              + " (HTTP 403: "
              + reply.errorText()
              + "). Fix: check "
              + settings.credentialsHint()
              + " / the policy: it must allow "
              + (verb.equals("read") ? "read" : "create and update")
              + " on "
              + resource
              + (settings.namespace() == null ? "" : " in namespace " + settings.namespace())
              + ".");
    }
    return reply;
  }

  private Reply attempt(Session session, String resource, Call call) {
    LogicalResponse response;
    try {
      response = call.send(session);
    } catch (VaultException e) {
      throw errors.translate(e, resource);
    }
    int status = response.getRestResponse().getStatus();
    Reply reply = parse(status, response.getRestResponse().getBody());
    if (status >= 500 || status == 429 || status == 412) {
      throw errors.unavailable(status, reply.errors(), resource, null);
    }
    return reply;
  }

  private Session currentSession(String resource) {
    Session current = session;
    if (current != null) {
      return current;
    }
    return relogin(null, resource);
  }

  /** Logs in with AppRole, unless another thread already replaced {@code stale}. */
  private Session relogin(Session stale, String resource) {
    synchronized (loginLock) {
      Session current = session;
      if (current != null && current != stale) {
        return current;
      }
      VaultAuth.AppRole appRole = (VaultAuth.AppRole) settings.auth();
      String loginPath = "auth/" + settings.mounts().appRole() + "/login";
      AuthResponse auth;
      try {
        auth =
            vault(null, 1)
                .auth()
                .loginByAppRole(settings.mounts().appRole(), appRole.roleId(), appRole.secretId());
      } catch (VaultException e) {
        int status = e.getHttpStatusCode();
        if (status >= 400 && status < 500 && status != 429 && status != 412) {
          throw new SecretStoreAccessDeniedException(
              loginPath,
              "Vault at "
                  + address()
                  + " refused the AppRole login at "
                  + loginPath
                  + " (HTTP "
                  + status
                  + ": "
                  + parse(status, VaultErrors.bodyOf(e)).errorText()
                  + ") needed for "
                  + resource
                  + ". Fix: check "
                  + VaultSettings.ENV_ROLE_ID
                  + " and "
                  + VaultSettings.ENV_SECRET_ID
                  + " (a secret id expires or runs out of uses; issue a new one) / the role.");
        }
        throw errors.translate(e, loginPath);
      }
      String token = auth.getAuthClientToken();
      if (token == null || token.isEmpty()) {
        throw new SecretStoreException(
            "Vault at "
                + address()
                + " answered the AppRole login at "
                + loginPath
                + " without a client token; expected auth.client_token. Fix: check that "
                + loginPath
                + " is an AppRole auth method.");
      }
      log.info(
          "logged in to Vault at {} with AppRole (token valid for {} s)",
          address(),
          auth.getAuthLeaseDuration());
      Session fresh = session(token);
      session = fresh;
      return fresh;
    }
  }

  private Session session(String token) {
    return new Session(token, vault(token, 2), vault(token, 1));
  }

  /**
   * A driver instance. The environment loader answers nothing, so the driver reads no variable or
   * {@code ~/.vault-token} behind {@link VaultSettings}' back.
   */
  private Vault vault(String token, int engineVersion) {
    try {
      VaultConfig config =
          new VaultConfig()
              .environmentLoader(new NoEnvironment())
              .address(settings.address())
              .httpClient(http)
              .openTimeout((int) settings.timeout().toSeconds())
              .readTimeout((int) settings.timeout().toSeconds())
              .engineVersion(engineVersion)
              .prefixPath(settings.mounts().kv());
      if (token != null) {
        config.token(token);
      }
      if (settings.namespace() != null) {
        config.nameSpace(settings.namespace());
      }
      return Vault.create(config.build(), engineVersion);
    } catch (VaultException e) {
      throw new IllegalArgumentException(
          "cannot configure the Vault client for " + address() + ": " + e.getMessage(), e);
    }
  }

  static Reply parse(int status, byte[] body) {
    JsonNode root;
    try {
      root = body == null || body.length == 0 ? MissingNode.getInstance() : JSON.readTree(body);
    } catch (IOException e) {
      // Never quote the body: a successful read carries secret values.
      root = MissingNode.getInstance();
    }
    if (root == null) {
      root = MissingNode.getInstance();
    }
    List<String> errors = new ArrayList<>();
    for (JsonNode error : root.path("errors")) {
      errors.add(error.asText());
    }
    return new Reply(status, root, errors);
  }

  /** Keeps the driver from reading environment variables and files on its own. */
  private static final class NoEnvironment extends EnvironmentLoader {
    private static final long serialVersionUID = 1L;

    @Override
    public String loadVariable(String name) {
      return null;
    }
  }
}
