package dev.runbooks.activities.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.runbooks.activities.secrets.VaultSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * An in-process stand-in for Vault's HTTP API, for what this project uses: KV version 2 ({@code
 * GET/POST /v1/<mount>/data/<path>} with {@code ?version=N} and {@code options.cas}, {@code GET
 * /v1/<mount>/metadata/<path>}), transit ({@code POST /v1/transit/encrypt|decrypt/<key>}, {@code
 * /v1/transit/datakey/plaintext/<key>}) and AppRole login ({@code POST /v1/auth/approle/login}).
 * Bodies are shaped like Vault's (the {@code request_id}/{@code data}/{@code auth} envelope, {@code
 * {"errors": [...]}} on failure). No Vault binary can run on the build machines (FACTS.md); the
 * same contract tests run against a real Vault when {@code VAULT_ADDR} is set.
 *
 * <p>Faithful where it matters to a client: every request but a login needs a known {@code
 * X-Vault-Token} (403 {@code permission denied} otherwise); {@link #seal()} makes every request
 * answer 503 {@code Vault is sealed}; transit ciphertexts are {@code vault:v1:<base64>} of real
 * AES-256-GCM (a 12-byte nonce, then ciphertext and tag), so decrypting with another key fails with
 * 400 {@code cipher: message authentication failed}; a transit key is made on first encrypt, as
 * Vault does. Not modelled: policies beyond {@link #createToken(String...)}'s path prefixes,
 * leases, key rotation, KV deletes other than {@link #softDelete}, and {@code max_versions} (every
 * version is kept, where Vault keeps 10 by default).
 *
 * <p>Listens on 127.0.0.1 on a free port; {@link #startTls} serves HTTPS with a throwaway
 * self-signed certificate made by {@code keytool}.
 */
public final class VaultStandIn implements AutoCloseable {
  /** The KV version 2 mount that exists from the start, as in a dev-mode Vault. */
  public static final String DEFAULT_KV_MOUNT = "secret";

  public static final String TRANSIT_MOUNT = "transit";
  public static final String APPROLE_MOUNT = "approle";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** One request as the stand-in saw it: never a body, so never a secret. */
  public record Request(String method, String path, String query, String namespace, int status) {}

  /** An AppRole's credentials. {@link #toString} hides the secret id. */
  public record AppRole(String name, String roleId, String secretId) {
    @Override
    public String toString() {
      return "AppRole[" + name + "]";
    }
  }

  private record Version(int number, Instant created, ObjectNode data, boolean deleted) {}

  private static final class KvSecret {
    final List<Version> versions = new ArrayList<>();
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final String address;
  private final Path caCert;
  private final String rootToken;

  // All state below is guarded by this.
  private final Map<String, Set<String>> tokens = new HashMap<>();
  private final Set<String> loginTokens = new HashSet<>();
  private final Map<String, Map<String, KvSecret>> kv = new TreeMap<>();
  private final Map<String, SecretKey> transitKeys = new TreeMap<>();
  private final Map<String, AppRole> appRolesByRoleId = new HashMap<>();
  private final Map<String, Set<String>> appRolePrefixes = new HashMap<>();
  private final List<Request> requests = new ArrayList<>();
  private boolean sealed;

  private VaultStandIn(HttpServer server, String scheme, Path caCert) {
    this.server = server;
    this.caCert = caCert;
    this.executor = Executors.newFixedThreadPool(4);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    this.address = scheme + "://127.0.0.1:" + server.getAddress().getPort();
    this.rootToken = newToken();
    tokens.put(rootToken, Set.of());
    kv.put(DEFAULT_KV_MOUNT, new TreeMap<>());
  }

  static {
    // The JDK server writes headers and body separately: without TCP_NODELAY each answer waits
    // out the client's delayed ACK (about 40 ms).
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  /** A stand-in serving plain HTTP on a free port of 127.0.0.1. */
  public static VaultStandIn start() {
    try {
      return new VaultStandIn(
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16),
          "http",
          null);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the Vault stand-in", e);
    }
  }

  /**
   * A stand-in serving HTTPS with a new self-signed certificate for 127.0.0.1, whose PEM is at
   * {@link #caCert()}. Makes the certificate with the JDK's {@code keytool} in {@code dir}.
   */
  public static VaultStandIn startTls(Path dir) {
    try {
      Path keystore = dir.resolve("vault-standin.p12");
      Path pem = dir.resolve("vault-standin-ca.pem");
      String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
      run(
          dir,
          keytool,
          "-genkeypair",
          "-alias",
          "vault",
          "-keyalg",
          "EC",
          "-groupname",
          "secp256r1",
          "-dname",
          "CN=127.0.0.1",
          "-ext",
          "SAN=ip:127.0.0.1,dns:localhost",
          "-validity",
          "2",
          "-storetype",
          "PKCS12",
          "-keystore",
          keystore.toString(),
          "-storepass",
          "standin",
          "-keypass",
          "standin");
      run(
          dir,
          keytool,
          "-exportcert",
          "-rfc",
          "-alias",
          "vault",
          "-keystore",
          keystore.toString(),
          "-storepass",
          "standin",
          "-file",
          pem.toString());
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keystore)) {
        store.load(in, "standin".toCharArray());
      }
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, "standin".toCharArray());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      HttpsServer server =
          HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
      server.setHttpsConfigurator(new HttpsConfigurator(context));
      return new VaultStandIn(server, "https", pem);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot start the TLS Vault stand-in", e);
    }
  }

  private static void run(Path dir, String... command) throws IOException {
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("keytool.log").toFile())
            .start();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IOException(
            "keytool failed: " + Files.readString(dir.resolve("keytool.log")).trim());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running keytool", e);
    }
  }

  /** {@code http://127.0.0.1:PORT} (or https). */
  public String address() {
    return address;
  }

  /** A token that may do anything. */
  public String rootToken() {
    return rootToken;
  }

  /** The PEM certificate to trust for a {@link #startTls} stand-in; null for plain HTTP. */
  public Path caCert() {
    return caCert;
  }

  /** Settings that reach this stand-in with the root token (and its certificate, for TLS). */
  public VaultSettings settings() {
    VaultSettings settings =
        VaultSettings.fromEnv(Map.of()).withAddress(address).withToken(rootToken);
    return caCert == null ? settings : settings.withCaCert(caCert);
  }

  /** {@code VAULT_ADDR} and {@code VAULT_TOKEN} (and {@code VAULT_CACERT}) for this stand-in. */
  public Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put(VaultSettings.ENV_ADDR, address);
    env.put(VaultSettings.ENV_TOKEN, rootToken);
    if (caCert != null) {
      env.put(VaultSettings.ENV_CACERT, caCert.toString());
    }
    return env;
  }

  /**
   * A token allowed only API paths (after {@code /v1/}) that start with one of {@code prefixes},
   * like a policy granting those paths; any path when none are given.
   */
  public synchronized String createToken(String... prefixes) {
    String token = newToken();
    tokens.put(token, Set.of(prefixes));
    return token;
  }

  /** Makes {@code token} unknown, as when it expires. */
  public synchronized void revokeToken(String token) {
    tokens.remove(token);
    loginTokens.remove(token);
  }

  /** Expires every token an AppRole login handed out. */
  public synchronized void revokeLoginTokens() {
    for (String token : loginTokens) {
      tokens.remove(token);
    }
    loginTokens.clear();
  }

  /** Enables another KV version 2 mount, such as {@code team/kv}. */
  public synchronized void enableKv(String mount) {
    kv.putIfAbsent(mount, new TreeMap<>());
  }

  /**
   * An AppRole whose logins get tokens allowed the API paths that start with one of {@code
   * prefixes} (any path when none are given), like {@link #createToken}.
   */
  public synchronized AppRole createAppRole(String name, String... prefixes) {
    AppRole role = new AppRole(name, UUID.randomUUID().toString(), UUID.randomUUID().toString());
    appRolesByRoleId.put(role.roleId(), role);
    appRolePrefixes.put(role.roleId(), Set.of(prefixes));
    return role;
  }

  /** Marks a version deleted (soft delete), as {@code vault kv delete -versions=N} does. */
  public synchronized void softDelete(String mount, String path, int version) {
    KvSecret secret = kv.get(mount).get(path);
    Version v = secret.versions.get(version - 1);
    secret.versions.set(version - 1, new Version(v.number(), v.created(), v.data(), true));
  }

  /** From now on every request answers 503 {@code Vault is sealed}. */
  public synchronized void seal() {
    sealed = true;
  }

  public synchronized void unseal() {
    sealed = false;
  }

  /** Every request so far, oldest first. */
  public synchronized List<Request> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return "VaultStandIn[" + address + "]";
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      String query = exchange.getRequestURI().getQuery();
      byte[] body = exchange.getRequestBody().readAllBytes();
      Answer answer;
      synchronized (this) {
        answer = answer(exchange, method, path, query, body);
        requests.add(
            new Request(
                method,
                path,
                query,
                exchange.getRequestHeaders().getFirst("X-Vault-Namespace"),
                answer.status()));
      }
      byte[] bytes = answer.body() == null ? new byte[0] : JSON.writeValueAsBytes(answer.body());
      // Exactly this: the driver refuses a login answer whose type has parameters.
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        exchange.getResponseBody().write(bytes);
      }
    }
  }

  private record Answer(int status, JsonNode body) {}

  private Answer answer(
      HttpExchange exchange, String method, String path, String query, byte[] body) {
    if (sealed) {
      return error(503, "Vault is sealed");
    }
    if (!path.startsWith("/v1/")) {
      return error(404, "");
    }
    String api = path.substring("/v1/".length());
    JsonNode request;
    try {
      request = body.length == 0 ? NODES.objectNode() : JSON.readTree(body);
    } catch (IOException e) {
      return error(400, "failed to parse JSON input");
    }
    boolean write = method.equals("POST") || method.equals("PUT");
    if (api.equals("auth/" + APPROLE_MOUNT + "/login") && write) {
      return login(request);
    }
    String token = exchange.getRequestHeaders().getFirst("X-Vault-Token");
    Set<String> allowed = token == null ? null : tokens.get(token);
    if (allowed == null || (!allowed.isEmpty() && allowed.stream().noneMatch(api::startsWith))) {
      return error(403, "permission denied");
    }
    String mount = mountOf(api);
    if (mount == null) {
      return error(404, "no handler for route \"" + api + "\". route entry not found.");
    }
    String rest = api.substring(mount.length() + 1);
    if (mount.equals(TRANSIT_MOUNT)) {
      if (!write) {
        return error(405, "unsupported operation");
      }
      return transit(rest, request);
    }
    Map<String, KvSecret> secrets = kv.get(mount);
    if (rest.startsWith("data/") && method.equals("GET")) {
      return kvRead(secrets, rest.substring("data/".length()), query);
    }
    if (rest.startsWith("data/") && write) {
      return kvWrite(secrets, rest.substring("data/".length()), request);
    }
    if (rest.startsWith("metadata/") && method.equals("GET")) {
      return kvMetadata(secrets, rest.substring("metadata/".length()));
    }
    return error(405, "unsupported operation");
  }

  private String mountOf(String api) {
    String best = null;
    Set<String> mounts = new TreeSet<>(kv.keySet());
    mounts.add(TRANSIT_MOUNT);
    for (String mount : mounts) {
      if (api.startsWith(mount + "/") && (best == null || mount.length() > best.length())) {
        best = mount;
      }
    }
    return best;
  }

  private Answer login(JsonNode request) {
    AppRole role = appRolesByRoleId.get(request.path("role_id").asText(""));
    if (role == null || !role.secretId().equals(request.path("secret_id").asText(""))) {
      return error(400, "invalid role or secret ID");
    }
    String token = newToken();
    tokens.put(token, appRolePrefixes.get(role.roleId()));
    loginTokens.add(token);
    ObjectNode auth = NODES.objectNode();
    auth.put("client_token", token);
    auth.put("accessor", UUID.randomUUID().toString());
    auth.set("policies", NODES.arrayNode().add("default"));
    auth.set("token_policies", NODES.arrayNode().add("default"));
    auth.set("metadata", NODES.objectNode().put("role_name", role.name()));
    auth.put("lease_duration", 1200);
    auth.put("renewable", true);
    auth.put("entity_id", UUID.randomUUID().toString());
    auth.put("token_type", "service");
    auth.put("orphan", true);
    ObjectNode envelope = envelope(null);
    envelope.set("auth", auth);
    return new Answer(200, envelope);
  }

  private Answer kvRead(Map<String, KvSecret> secrets, String path, String query) {
    KvSecret secret = secrets.get(path);
    int asked = 0;
    if (query != null) {
      for (String pair : query.split("&")) {
        if (pair.startsWith("version=")) {
          try {
            asked = Integer.parseInt(pair.substring("version=".length()));
          } catch (NumberFormatException e) {
            return error(400, "invalid version");
          }
        }
      }
    }
    if (secret == null || secret.versions.isEmpty()) {
      return error(404);
    }
    int number = asked == 0 ? secret.versions.size() : asked;
    if (number < 1 || number > secret.versions.size()) {
      return error(404);
    }
    Version version = secret.versions.get(number - 1);
    ObjectNode data = NODES.objectNode();
    data.set("data", version.deleted() ? NODES.nullNode() : version.data().deepCopy());
    data.set("metadata", versionMetadata(version).put("version", version.number()));
    ObjectNode envelope = envelope(data);
    if (version.deleted()) {
      // Vault answers a deleted version with 404 and its metadata.
      envelope.set("errors", NODES.arrayNode());
      return new Answer(404, envelope);
    }
    return new Answer(200, envelope);
  }

  private Answer kvWrite(Map<String, KvSecret> secrets, String path, JsonNode request) {
    if (!request.path("data").isObject()) {
      return error(400, "no data provided");
    }
    KvSecret secret = secrets.get(path);
    int current = secret == null ? 0 : secret.versions.size();
    JsonNode cas = request.path("options").path("cas");
    if (!cas.isMissingNode() && !cas.isNull() && cas.asInt(-1) != current) {
      return error(400, "check-and-set parameter did not match the current version");
    }
    if (secret == null) {
      secret = new KvSecret();
      secrets.put(path, secret);
    }
    Version version =
        new Version(
            current + 1, Instant.now(), (ObjectNode) request.path("data").deepCopy(), false);
    secret.versions.add(version);
    return new Answer(200, envelope(versionMetadata(version).put("version", version.number())));
  }

  private Answer kvMetadata(Map<String, KvSecret> secrets, String path) {
    KvSecret secret = secrets.get(path);
    if (secret == null || secret.versions.isEmpty()) {
      return error(404);
    }
    ObjectNode versions = NODES.objectNode();
    for (Version version : secret.versions) {
      versions.set(Integer.toString(version.number()), versionMetadata(version));
    }
    ObjectNode data = NODES.objectNode();
    data.put("cas_required", false);
    data.put("created_time", secret.versions.get(0).created().toString());
    data.put("current_version", secret.versions.size());
    data.putNull("custom_metadata");
    data.put("delete_version_after", "0s");
    data.put("max_versions", 0);
    data.put("oldest_version", 0);
    data.put("updated_time", secret.versions.get(secret.versions.size() - 1).created().toString());
    data.set("versions", versions);
    return new Answer(200, envelope(data));
  }

  private static ObjectNode versionMetadata(Version version) {
    ObjectNode metadata = NODES.objectNode();
    metadata.put("created_time", version.created().toString());
    metadata.putNull("custom_metadata");
    metadata.put("deletion_time", version.deleted() ? version.created().toString() : "");
    metadata.put("destroyed", false);
    return metadata;
  }

  private Answer transit(String rest, JsonNode request) {
    int slash = rest.lastIndexOf('/');
    if (slash < 0) {
      return error(405, "unsupported operation");
    }
    String operation = rest.substring(0, slash);
    String name = rest.substring(slash + 1);
    try {
      switch (operation) {
        case "encrypt":
          {
            byte[] plaintext;
            try {
              plaintext = Base64.getDecoder().decode(request.path("plaintext").asText(""));
            } catch (IllegalArgumentException e) {
              return error(400, "failed to base64-decode plaintext");
            }
            SecretKey key = transitKeys.computeIfAbsent(name, n -> newAesKey());
            ObjectNode data = NODES.objectNode();
            data.put("ciphertext", encrypt(key, plaintext));
            data.put("key_version", 1);
            return new Answer(200, envelope(data));
          }
        case "decrypt":
          {
            SecretKey key = transitKeys.get(name);
            if (key == null) {
              return error(400, "encryption key not found");
            }
            String ciphertext = request.path("ciphertext").asText("");
            if (!ciphertext.startsWith("vault:v")) {
              return error(400, "invalid ciphertext: no prefix");
            }
            if (!ciphertext.startsWith("vault:v1:")) {
              return error(400, "invalid ciphertext: key version not found");
            }
            byte[] plaintext;
            try {
              plaintext = decrypt(key, ciphertext.substring("vault:v1:".length()));
            } catch (IllegalArgumentException e) {
              return error(400, "invalid ciphertext: could not decode");
            } catch (GeneralSecurityException e) {
              return error(400, "cipher: message authentication failed");
            }
            ObjectNode data = NODES.objectNode();
            data.put("plaintext", Base64.getEncoder().encodeToString(plaintext));
            return new Answer(200, envelope(data));
          }
        case "datakey/plaintext":
          {
            int bits = request.path("bits").asInt(256);
            if (bits != 128 && bits != 256 && bits != 512) {
              return error(400, "invalid bit size");
            }
            SecretKey key = transitKeys.get(name);
            if (key == null) {
              return error(400, "encryption key not found");
            }
            byte[] dataKey = new byte[bits / 8];
            RANDOM.nextBytes(dataKey);
            ObjectNode data = NODES.objectNode();
            data.put("plaintext", Base64.getEncoder().encodeToString(dataKey));
            data.put("ciphertext", encrypt(key, dataKey));
            data.put("key_version", 1);
            return new Answer(200, envelope(data));
          }
        default:
          return error(405, "unsupported operation");
      }
    } catch (GeneralSecurityException e) {
      return error(500, "internal error: " + e.getClass().getSimpleName());
    }
  }

  private static String encrypt(SecretKey key, byte[] plaintext) throws GeneralSecurityException {
    byte[] nonce = new byte[12];
    RANDOM.nextBytes(nonce);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
    byte[] sealed = cipher.doFinal(plaintext);
    ByteBuffer out = ByteBuffer.allocate(nonce.length + sealed.length);
    out.put(nonce).put(sealed);
    return "vault:v1:" + Base64.getEncoder().encodeToString(out.array());
  }

  private static byte[] decrypt(SecretKey key, String base64) throws GeneralSecurityException {
    byte[] all = Base64.getDecoder().decode(base64);
    if (all.length < 12 + 16) {
      throw new GeneralSecurityException("too short");
    }
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, 12));
    return cipher.doFinal(all, 12, all.length - 12);
  }

  private static SecretKey newAesKey() {
    try {
      KeyGenerator generator = KeyGenerator.getInstance("AES");
      generator.init(256, RANDOM);
      return generator.generateKey();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode envelope(JsonNode data) {
    ObjectNode envelope = NODES.objectNode();
    envelope.put("request_id", UUID.randomUUID().toString());
    envelope.put("lease_id", "");
    envelope.put("renewable", false);
    envelope.put("lease_duration", 0);
    envelope.set("data", data == null ? NODES.nullNode() : data);
    envelope.putNull("wrap_info");
    envelope.putNull("warnings");
    envelope.putNull("auth");
    return envelope;
  }

  /** Vault's error body: {@code {"errors": [...]}}; an empty list for a plain 404. */
  private static Answer error(int status, String... errors) {
    ArrayNode list = NODES.arrayNode();
    for (String error : errors) {
      if (!error.isEmpty()) {
        list.add(error);
      }
    }
    ObjectNode body = NODES.objectNode();
    body.set("errors", list);
    return new Answer(status, body);
  }

  private static String newToken() {
    byte[] bytes = new byte[18];
    RANDOM.nextBytes(bytes);
    return "hvs." + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
