package dev.runbooks.activities.secrets;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How to reach and log in to Vault. {@link #fromEnv} reads the variables Vault's own CLI reads, so
 * that settings that work for {@code vault kv get} work here:
 *
 * <ul>
 *   <li>{@code VAULT_ADDR}: the address, such as {@code https://vault.example.com:8200}
 *   <li>{@code VAULT_TOKEN}: a token (token auth)
 *   <li>{@code VAULT_NAMESPACE}: the namespace (Vault Enterprise), sent as {@code
 *       X-Vault-Namespace}
 *   <li>{@code VAULT_CACERT}: a PEM file of the CA certificates that sign Vault's TLS certificate
 *   <li>{@code VAULT_SKIP_VERIFY}: {@code true} to accept any TLS certificate (tests only; off by
 *       default)
 * </ul>
 *
 * and two of this project's own for AppRole auth, which the Vault CLI has no variables for: {@code
 * VAULT_ROLE_ID} and {@code VAULT_SECRET_ID}. When a role id is set, AppRole is used and any token
 * is ignored. The {@code with...} methods override what the environment said; each changes one part
 * (auth, TLS, mounts) and keeps the rest.
 *
 * <p>{@link #toString} never shows the token or the secret id.
 *
 * @param address Vault's base address without a trailing slash, or null when not set
 * @param auth how to log in: a token, AppRole, or none yet
 * @param namespace the Vault Enterprise namespace, or null
 * @param tls how to trust Vault's certificate
 * @param mounts where the KV, transit and AppRole engines are mounted
 * @param timeout how long to wait for a connection, and for an answer
 */
public record VaultSettings(
    String address,
    VaultAuth auth,
    String namespace,
    VaultTls tls,
    VaultMounts mounts,
    Duration timeout) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  public static final String ENV_ADDR = "VAULT_ADDR";
  public static final String ENV_TOKEN = "VAULT_TOKEN";
  public static final String ENV_NAMESPACE = "VAULT_NAMESPACE";
  public static final String ENV_CACERT = "VAULT_CACERT";
  public static final String ENV_SKIP_VERIFY = "VAULT_SKIP_VERIFY";
  public static final String ENV_ROLE_ID = "VAULT_ROLE_ID";
  public static final String ENV_SECRET_ID = "VAULT_SECRET_ID";

  public VaultSettings {
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(mounts, "mounts");
    Objects.requireNonNull(timeout, "timeout");
  }

  /**
   * The settings {@code env} gives, with defaults for the rest. Empty variables count as unset.
   *
   * @throws IllegalArgumentException when a variable is set to something unusable (an address that
   *     is not http(s), a {@code VAULT_SKIP_VERIFY} that is not a boolean)
   */
  public static VaultSettings fromEnv(Map<String, String> env) {
    VaultSettings settings =
        new VaultSettings(
            null,
            new VaultAuth.None(),
            null,
            VaultTls.DEFAULT,
            VaultMounts.DEFAULT,
            DEFAULT_TIMEOUT);
    String address = value(env, ENV_ADDR);
    if (address != null) {
      settings = settings.withAddress(address, ENV_ADDR);
    }
    String token = value(env, ENV_TOKEN);
    if (token != null) {
      settings = settings.withToken(token);
    }
    String roleId = value(env, ENV_ROLE_ID);
    if (roleId != null) {
      settings = settings.withAppRole(roleId, value(env, ENV_SECRET_ID));
    }
    String namespace = value(env, ENV_NAMESPACE);
    if (namespace != null) {
      settings = settings.withNamespace(namespace);
    }
    String caCert = value(env, ENV_CACERT);
    if (caCert != null) {
      try {
        settings = settings.withCaCert(Path.of(caCert));
      } catch (InvalidPathException e) {
        throw new IllegalArgumentException(
            ENV_CACERT + "=\"" + caCert + "\" is not a path: " + e.getReason(), e);
      }
    }
    String skipVerify = value(env, ENV_SKIP_VERIFY);
    if (skipVerify != null) {
      settings = settings.withSkipVerify(parseBoolean(ENV_SKIP_VERIFY, skipVerify));
    }
    return settings;
  }

  /**
   * @throws IllegalArgumentException when {@code address} is not an http or https URL
   */
  public VaultSettings withAddress(String address) {
    return withAddress(address, "the Vault address");
  }

  /** Logs in with {@code auth} instead; the other settings stay. */
  public VaultSettings withAuth(VaultAuth auth) {
    return new VaultSettings(address, auth, namespace, tls, mounts, timeout);
  }

  /** Token auth with {@code token}; forgets any AppRole login. */
  public VaultSettings withToken(String token) {
    return withAuth(new VaultAuth.Token(token));
  }

  /** AppRole auth: log in with this role id and secret id; forgets any token. */
  public VaultSettings withAppRole(String roleId, String secretId) {
    return withAuth(new VaultAuth.AppRole(roleId, secretId));
  }

  public VaultSettings withNamespace(String namespace) {
    return new VaultSettings(
        address,
        auth,
        namespace == null || namespace.isBlank() ? null : namespace.trim(),
        tls,
        mounts,
        timeout);
  }

  /** Trusts the CA certificates in this PEM file (instead of the JVM's trust store). */
  public VaultSettings withCaCert(Path caCert) {
    return withTls(tls.withCaCert(caCert));
  }

  /** Accepts any certificate and host name when true: for throwaway test servers only. */
  public VaultSettings withSkipVerify(boolean skipVerify) {
    return withTls(tls.withSkipVerify(skipVerify));
  }

  /** Where the AppRole auth method is mounted, when not at {@code approle}. */
  public VaultSettings withAppRoleMount(String mount) {
    return withMounts(mounts.withAppRole(mount));
  }

  /**
   * The KV version 2 mount, such as {@code secret} or {@code team/kv}.
   *
   * @throws IllegalArgumentException when {@code mount} is not slash-separated names
   */
  public VaultSettings withKvMount(String mount) {
    return withMounts(mounts.withKv(mount));
  }

  /** The transit mount, when not at {@code transit}. */
  public VaultSettings withTransitMount(String mount) {
    return withMounts(mounts.withTransit(mount));
  }

  public VaultSettings withTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero() || timeout.toSeconds() < 1) {
      throw new IllegalArgumentException(
          "a Vault timeout must be at least one second, found " + timeout);
    }
    return new VaultSettings(address, auth, namespace, tls, mounts, timeout);
  }

  private VaultSettings withTls(VaultTls tls) {
    return new VaultSettings(address, auth, namespace, tls, mounts, timeout);
  }

  private VaultSettings withMounts(VaultMounts mounts) {
    return new VaultSettings(address, auth, namespace, tls, mounts, timeout);
  }

  /** True for AppRole auth, false for token auth. */
  public boolean appRole() {
    return auth instanceof VaultAuth.AppRole;
  }

  /** What to tell an operator to check when Vault refuses the credentials. */
  String credentialsHint() {
    return auth.credentialsHint(mounts.appRole());
  }

  /**
   * Checks that these settings can reach and log in to Vault.
   *
   * @throws IllegalArgumentException naming the variable to set
   */
  void validate() {
    if (address == null) {
      throw new IllegalArgumentException(
          ENV_ADDR
              + " is not set: the Vault secret store needs Vault's address. Fix: export"
              + " VAULT_ADDR=https://vault.example.com:8200 (and VAULT_TOKEN, or VAULT_ROLE_ID and"
              + " VAULT_SECRET_ID for AppRole), or use secrets: file:///path/secrets.json.");
    }
    if (auth instanceof VaultAuth.AppRole appRole) {
      if (appRole.secretId() == null || appRole.secretId().isEmpty()) {
        throw new IllegalArgumentException(
            ENV_ROLE_ID
                + " is set but "
                + ENV_SECRET_ID
                + " is not: an AppRole login needs both. Fix: export VAULT_SECRET_ID, or unset"
                + " VAULT_ROLE_ID to use VAULT_TOKEN.");
      }
    } else if (!(auth instanceof VaultAuth.Token token) || token.token().isEmpty()) {
      throw new IllegalArgumentException(
          "no Vault credentials: neither "
              + ENV_TOKEN
              + " nor "
              + ENV_ROLE_ID
              + " is set. Fix: export VAULT_TOKEN (a token whose policy allows the secret"
              + " paths), or VAULT_ROLE_ID and VAULT_SECRET_ID for an AppRole login.");
    }
  }

  @Override
  public String toString() {
    return "VaultSettings[address="
        + address
        + ", auth="
        + (appRole() ? "approle at auth/" + mounts.appRole() : auth)
        + (namespace == null ? "" : ", namespace=" + namespace)
        + (tls.caCert() == null ? "" : ", caCert=" + tls.caCert())
        + (tls.skipVerify() ? ", skipVerify" : "")
        + ", kvMount="
        + mounts.kv()
        + ", transitMount="
        + mounts.transit()
        + ", timeout="
        + timeout
        + "]";
  }

  private VaultSettings withAddress(String address, String source) {
    String trimmed = address.trim();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    URI uri;
    try {
      uri = new URI(trimmed);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          source + " \"" + address + "\" is not a URL: " + e.getReason(), e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException(
          source
              + " \""
              + address
              + "\" is not an http or https URL with a host; expected something like"
              + " https://vault.example.com:8200");
    }
    if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          source
              + " must be scheme://host:port only (credentials go in VAULT_TOKEN, never in the"
              + " address)");
    }
    return new VaultSettings(trimmed, auth, namespace, tls, mounts, timeout);
  }

  private static String value(Map<String, String> env, String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static boolean parseBoolean(String name, String value) {
    switch (value.toLowerCase(Locale.ROOT)) {
      case "1":
      case "true":
      case "t":
      case "yes":
        return true;
      case "0":
      case "false":
      case "f":
      case "no":
        return false;
      default:
        throw new IllegalArgumentException(
            name + "=\"" + value + "\" is not a boolean; expected true or false");
    }
  }
}
