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
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
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
    this.http =
        HttpClient.newBuilder()
            // Vault Agent cannot proxy h2c: stay on HTTP/1.1 like the driver does.
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(settings.timeout())
            .sslContext(sslContext(settings))
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
      throw translate(e, resource);
    }
    int status = response.getRestResponse().getStatus();
    Reply reply = parse(status, response.getRestResponse().getBody());
    if (status >= 500 || status == 429 || status == 412) {
      throw unavailable(status, reply.errors(), resource, null);
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
                  + parse(status, bodyOf(e)).errorText()
                  + ") needed for "
                  + resource
                  + ". Fix: check "
                  + VaultSettings.ENV_ROLE_ID
                  + " and "
                  + VaultSettings.ENV_SECRET_ID
                  + " (a secret id expires or runs out of uses; issue a new one) / the role.");
        }
        throw translate(e, loginPath);
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

  private SecretStoreException translate(VaultException e, String resource) {
    int status = e.getHttpStatusCode();
    if (status > 0) {
      Reply reply = parse(status, bodyOf(e));
      if (status >= 500 || status == 429 || status == 412) {
        return unavailable(status, reply.errors(), resource, null);
      }
      return new SecretStoreException(
          "Vault at "
              + address()
              + " answered HTTP "
              + status
              + " ("
              + reply.errorText()
              + ") for "
              + resource);
    }
    Throwable cause = rootCause(e);
    if (cause instanceof SSLException) {
      return new SecretStoreException(
          "TLS with Vault at "
              + address()
              + " failed for "
              + resource
              + ": "
              + cause.getMessage()
              + ". Fix: set "
              + VaultSettings.ENV_CACERT
              + " to the PEM file of the CA that signed Vault's certificate"
              + (settings.tls().caCert() == null ? "" : " (now " + settings.tls().caCert() + ")")
              + ", and check that VAULT_ADDR uses the host name in that certificate.",
          cause);
    }
    return unavailable(0, List.of(), resource, cause);
  }

  private SecretStoreUnavailableException unavailable(
      int status, List<String> errors, String resource, Throwable cause) {
    String what;
    String fix;
    if (status == 503
        && errors.stream().anyMatch(s -> s.toLowerCase(Locale.ROOT).contains("sealed"))) {
      what = "is sealed (HTTP 503: " + String.join("; ", errors) + ")";
      fix = "unseal it (vault operator unseal)";
    } else if (status > 0) {
      what =
          "answered HTTP "
              + status
              + " ("
              + (errors.isEmpty() ? "no error text" : String.join("; ", errors))
              + ")";
      fix = "check Vault's health (vault status) and its server log";
    } else if (cause instanceof ConnectException) {
      what =
          cause.getCause() instanceof UnknownHostException
                  || cause.getCause() instanceof UnresolvedAddressException
              ? "is unknown (no such host)"
              : "refused the connection";
      fix = "check that Vault is running and that VAULT_ADDR is right";
    } else if (cause instanceof HttpTimeoutException) {
      what = "did not answer within " + settings.timeout().toSeconds() + " s";
      fix = "check that Vault is running and reachable from this host";
    } else {
      what =
          "could not be reached ("
              + (cause == null ? "no answer" : cause.getClass().getSimpleName())
              + ")";
      fix = "check that Vault is running and that VAULT_ADDR is right";
    }
    return new SecretStoreUnavailableException(
        address(),
        status,
        errors,
        "Vault at "
            + address()
            + " "
            + what
            + " while accessing "
            + resource
            + "; the call will be retried. Fix: "
            + fix
            + ".",
        cause);
  }

  /** The response body the driver put into its message for a non-4xx status. */
  private static byte[] bodyOf(VaultException e) {
    String message = e.getMessage();
    String marker = "Response body: ";
    int at = message == null ? -1 : message.indexOf(marker);
    return at < 0
        ? new byte[0]
        : message.substring(at + marker.length()).getBytes(StandardCharsets.UTF_8);
  }

  private static Reply parse(int status, byte[] body) {
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

  private static Throwable rootCause(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      if (cause instanceof ConnectException
          || cause instanceof HttpTimeoutException
          || cause instanceof SSLException) {
        return cause;
      }
      cause = cause.getCause();
    }
    return cause;
  }

  private static SSLContext sslContext(VaultSettings settings) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      if (settings.tls().skipVerify()) {
        context.init(null, new TrustManager[] {new TrustEverything()}, null);
      } else if (settings.tls().caCert() != null) {
        TrustManagerFactory factory =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trustStore(settings));
        context.init(null, factory.getTrustManagers(), null);
      } else {
        return SSLContext.getDefault();
      }
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot set up TLS for Vault: " + e.getMessage(), e);
    }
  }

  private static KeyStore trustStore(VaultSettings settings) throws GeneralSecurityException {
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(settings.tls().caCert())) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(
          VaultSettings.ENV_CACERT
              + " names "
              + settings.tls().caCert()
              + ", which does not exist. Fix: point it at the PEM file of the CA that signed"
              + " Vault's certificate.",
          e);
    } catch (IOException | CertificateException e) {
      throw new IllegalArgumentException(
          "cannot read the Vault CA certificates in "
              + settings.tls().caCert()
              + ": "
              + e.getMessage()
              + ". Fix: point "
              + VaultSettings.ENV_CACERT
              + " at a PEM file (-----BEGIN CERTIFICATE-----).",
          e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(
          settings.tls().caCert() + " holds no certificate; expected PEM CA certificates");
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create an empty key store", e);
    }
    int i = 0;
    for (Certificate certificate : certificates) {
      store.setCertificateEntry("vault-ca-" + i++, certificate);
    }
    return store;
  }

  /** For {@code VAULT_SKIP_VERIFY}: accepts every certificate and host name. */
  private static final class TrustEverything extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
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
