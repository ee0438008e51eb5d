package dev.runbooks.activities.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbooks.workflows.shared.SecretRef;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secrets in Vault's KV version 2 secrets engine ({@code secrets: vault} or {@code vault://MOUNT}
 * in runbooks.yaml). Vault keeps the versions; a write with check-and-set sends Vault's {@code
 * options.cas}, so two writers cannot both replace the same version. A secret {@code
 * db/orders/admin} lives at {@code <mount>/data/db/orders/admin}; its versions at {@code
 * <mount>/metadata/db/orders/admin}.
 *
 * <p>Vault keeps the last {@code max_versions} versions of a secret (10 unless the mount or the
 * secret says otherwise) and forgets older ones; reading a forgotten version is a {@link
 * SecretNotFoundException} that lists the versions still there.
 *
 * <p>Failures: a missing path or version is a {@link SecretNotFoundException}; a check-and-set
 * mismatch a {@link SecretConflictException}; a refusal (403) a permanent {@link
 * SecretStoreAccessDeniedException}; a sealed, failing or unreachable Vault a transient {@link
 * SecretStoreUnavailableException}. The token and the values never reach a message or a log line.
 */
public final class VaultSecretStore implements SecretStore {
  private static final Logger log = LoggerFactory.getLogger(VaultSecretStore.class);

  private final VaultClient client;
  private final String mount;

  /** A store on {@code client}'s KV mount ({@link VaultMounts#kv()}). */
  public VaultSecretStore(VaultClient client) {
    this.client = Objects.requireNonNull(client, "client");
    this.mount = client.settings().mounts().kv();
  }

  /**
   * A store for {@code settings}.
   *
   * @throws IllegalArgumentException when the settings lack an address or credentials
   */
  public static VaultSecretStore open(VaultSettings settings) {
    return new VaultSecretStore(new VaultClient(settings));
  }

  /** The KV version 2 mount, such as {@code secret}. */
  public String mount() {
    return mount;
  }

  /** Vault's address. */
  public String address() {
    return client.address();
  }

  @Override
  public Secret read(SecretRef ref) {
    String path = SecretRef.validatePath(ref.path());
    VaultClient.Reply reply = client.kvRead(path, ref.version());
    if (reply.status() == 404) {
      throw notFound(path, ref.version(), reply);
    }
    if (!reply.ok()) {
      throw refused("read", path, reply);
    }
    JsonNode data = reply.data();
    int version = data.path("metadata").path("version").asInt(0);
    if (version <= 0 || !data.path("data").isObject()) {
      throw new SecretStoreException(
          "Vault at "
              + address()
              + " answered the read of "
              + dataPath(path)
              + " without data.data and data.metadata.version; expected a KV version 2 secrets"
              + " engine at "
              + mount
              + ". Fix: check the mount (secrets: vault://MOUNT) with vault secrets list"
              + " -detailed.");
    }
    Map<String, String> values = new TreeMap<>();
    for (Map.Entry<String, JsonNode> field : data.path("data").properties()) {
      JsonNode value = field.getValue();
      if (!value.isNull()) {
        values.put(field.getKey(), value.isTextual() ? value.asText() : value.toString());
      }
    }
    return new Secret(path, version, values);
  }

  @Override
  public int write(String path, Map<String, String> data, OptionalInt cas) {
    SecretRef.validatePath(path);
    Map<String, String> copy = Map.copyOf(data);
    if (cas.isPresent() && cas.getAsInt() < 0) {
      throw new IllegalArgumentException(
          "check-and-set version " + cas.getAsInt() + " for secret " + path + " is negative");
    }
    VaultClient.Reply reply = client.kvWrite(path, copy, cas);
    if (reply.status() == 400
        && cas.isPresent()
        && reply.errors().stream().anyMatch(e -> e.contains("check-and-set"))) {
      throw new SecretConflictException(path, cas.getAsInt(), currentVersionOrZero(path));
    }
    if (!reply.ok()) {
      throw refused("write", path, reply);
    }
    int version = reply.data().path("version").asInt(0);
    if (version <= 0) {
      throw new SecretStoreException(
          "Vault at "
              + address()
              + " accepted the write of "
              + dataPath(path)
              + " but named no new version (data.version); expected a KV version 2 secrets"
              + " engine at "
              + mount
              + ". Fix: check the mount with vault secrets list -detailed.");
    }
    log.info("wrote version {} of secret {} to Vault at {} ({})", version, path, address(), mount);
    return version;
  }

  @Override
  public SecretMetadata metadata(String path) {
    SecretRef.validatePath(path);
    VaultClient.Reply reply = client.kvMetadata(path);
    if (reply.status() == 404) {
      checkRoute(reply);
      throw new SecretNotFoundException(
          path, null, "secret " + path + " does not exist in " + where() + ".");
    }
    if (!reply.ok()) {
      throw refused("read the metadata of", path, reply);
    }
    JsonNode data = reply.data();
    List<SecretMetadata.Version> versions = new ArrayList<>();
    for (Map.Entry<String, JsonNode> entry : data.path("versions").properties()) {
      int number;
      try {
        number = Integer.parseInt(entry.getKey());
      } catch (NumberFormatException e) {
        throw malformedMetadata(path, "version key \"" + entry.getKey() + "\"");
      }
      String created = entry.getValue().path("created_time").asText("");
      try {
        versions.add(new SecretMetadata.Version(number, Instant.parse(created)));
      } catch (DateTimeParseException e) {
        throw malformedMetadata(path, "created_time \"" + created + "\" of version " + number);
      }
    }
    versions.sort((a, b) -> Integer.compare(a.version(), b.version()));
    int current = data.path("current_version").asInt(0);
    if (current <= 0 || versions.isEmpty()) {
      throw malformedMetadata(path, "current_version or versions");
    }
    return new SecretMetadata(path, current, versions);
  }

  @Override
  public String toString() {
    return "VaultSecretStore[" + address() + ", KV v2 mount " + mount + "]";
  }

  private int currentVersionOrZero(String path) {
    try {
      return metadata(path).currentVersion();
    } catch (SecretNotFoundException e) {
      return 0;
    }
  }

  private SecretNotFoundException notFound(String path, Integer version, VaultClient.Reply reply) {
    checkRoute(reply);
    SecretMetadata metadata;
    try {
      metadata = metadata(path);
    } catch (SecretNotFoundException e) {
      return new SecretNotFoundException(
          path,
          null,
          "secret "
              + path
              + " does not exist in "
              + where()
              + ". Fix: write it first (keys username and password for an admin secret), or"
              + " correct the path in runbooks.yaml.");
    }
    List<Integer> numbers = new ArrayList<>();
    for (SecretMetadata.Version v : metadata.versions()) {
      numbers.add(v.version());
    }
    int current = metadata.currentVersion();
    JsonNode versionMetadata = reply.data().path("metadata");
    boolean gone =
        versionMetadata.path("destroyed").asBoolean(false)
            || !versionMetadata.path("deletion_time").asText("").isEmpty();
    int asked = version == null ? current : version;
    if (version == null || gone || numbers.contains(version)) {
      return new SecretNotFoundException(
          path,
          version,
          "version "
              + asked
              + " of secret "
              + path
              + " is deleted or destroyed in "
              + where()
              + "; its versions are "
              + numbers
              + ". Fix: undelete it (vault kv undelete -mount="
              + mount
              + " -versions="
              + asked
              + " "
              + path
              + ") or write a new version.");
    }
    return new SecretNotFoundException(
        path,
        version,
        "secret "
            + path
            + " has no version "
            + version
            + " in "
            + where()
            + "; its versions are "
            + numbers
            + ". Fix: refer to an existing version, such as "
            + path
            + "@"
            + current
            + ", or to "
            + path
            + " for the latest.");
  }

  /** Vault answers 404 "no handler for route" when nothing is mounted there at all. */
  private void checkRoute(VaultClient.Reply reply) {
    if (reply.errors().stream().anyMatch(e -> e.contains("no handler for route"))) {
      throw new SecretStoreException(
          "Vault at "
              + address()
              + " has no secrets engine mounted at "
              + mount
              + " ("
              + reply.errorText()
              + "). Fix: name the KV version 2 mount in secrets: vault://MOUNT, or enable one"
              + " (vault secrets enable -path="
              + mount
              + " kv-v2).");
    }
  }

  private SecretStoreException refused(String verb, String path, VaultClient.Reply reply) {
    return new SecretStoreException(
        "Vault at "
            + address()
            + " refused to "
            + verb
            + " secret "
            + path
            + " ("
            + dataPath(path)
            + "): HTTP "
            + reply.status()
            + ": "
            + reply.errorText()
            + ". Fix: check that "
            + mount
            + " is a KV version 2 mount (vault secrets list -detailed).");
  }

  private SecretStoreException malformedMetadata(String path, String what) {
    return new SecretStoreException(
        "Vault at "
            + address()
            + " answered the metadata of "
            + path
            + " ("
            + mount
            + "/metadata/"
            + path
            + ") with an unusable "
            + what
            + "; expected KV version 2 metadata. Fix: check that "
            + mount
            + " is a KV version 2 mount.");
  }

  private String dataPath(String path) {
    return mount + "/data/" + path;
  }

  private String where() {
    return "Vault at " + address() + " (KV v2 mount " + mount + ")";
  }
}
