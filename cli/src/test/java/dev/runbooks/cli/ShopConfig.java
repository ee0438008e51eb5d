package dev.runbooks.cli;

import dev.runbooks.activities.secrets.SecretStores;
import dev.runbooks.testing.LocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A configuration for database {@code shop} on a test primary, with the sample shop migrations, a
 * file secret store holding the admin login, a file repository and a local keyset: target {@code
 * shop} (production: false) and, when asked, {@code shopprod}, the same database left production.
 */
final class ShopConfig {
  private ShopConfig() {}

  /** Writes {@code dir/runbooks.yaml} and the secret store; the database must exist. */
  static Path write(Path dir, LocalCluster primary, boolean withProductionTwin) throws IOException {
    String endpoint = endpoint(primary);
    return write(
        dir,
        "  shop:\n"
            + endpoint
            + "    production: false\n"
            + (withProductionTwin ? "  shopprod:\n" + endpoint : ""),
        "");
  }

  /**
   * Writes a configuration whose one target, {@code target} (production: false), is database shop,
   * followed by the top-level YAML lines {@code extra} (such as a retention).
   */
  static Path write(Path dir, LocalCluster primary, String target, String extra)
      throws IOException {
    return write(dir, "  " + target + ":\n" + endpoint(primary) + "    production: false\n", extra);
  }

  private static String endpoint(LocalCluster primary) {
    return "    primary: { host: 127.0.0.1, port: "
        + primary.port()
        + ", database: shop, sslmode: disable }\n"
        + "    admin: { secret: db/shop/admin }\n"
        + "    migrations: "
        + Path.of("../runbooks/examples/migrations/orders").toAbsolutePath()
        + "\n";
  }

  private static Path write(Path dir, String targets, String extra) throws IOException {
    SecretStores.open("file://" + dir.resolve("secrets.json"), dir)
        .write(
            "db/shop/admin",
            Map.of("username", "postgres", "password", "unused"),
            OptionalInt.of(0));
    return Files.writeString(
        dir.resolve("runbooks.yaml"),
        "targets:\n"
            + targets
            + "secrets: file://secrets.json\n"
            + "repository: file://"
            + dir.resolve("backups")
            + "\nencryption: local-keyset:"
            + dir.resolve("keyset.json")
            + "\n"
            + extra);
  }
}
