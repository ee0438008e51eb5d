package dev.runbooks.activities.secrets;

import java.nio.file.Path;

/**
 * How the worker trusts Vault's TLS certificate.
 *
 * @param caCert a PEM file of trusted CA certificates, or null for the JVM's default trust store
 * @param skipVerify accept any TLS certificate and host name: never in production
 */
public record VaultTls(Path caCert, boolean skipVerify) {
  static final VaultTls DEFAULT = new VaultTls(null, false);

  VaultTls withCaCert(Path caCert) {
    return new VaultTls(caCert == null ? null : caCert.toAbsolutePath().normalize(), skipVerify);
  }

  VaultTls withSkipVerify(boolean skipVerify) {
    return new VaultTls(caCert, skipVerify);
  }
}
