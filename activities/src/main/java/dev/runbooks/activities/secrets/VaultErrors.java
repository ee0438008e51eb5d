package dev.runbooks.activities.secrets;

import io.github.jopenlibs.vault.VaultException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * What a failed call to Vault means to an operator: unavailable (sealed, down, unreachable, slow:
 * retried) or refused (a 4xx answer, a TLS failure: permanent), with the fix in the message.
 */
final class VaultErrors {
  private final VaultSettings settings;

  VaultErrors(VaultSettings settings) {
    this.settings = settings;
  }

  SecretStoreException translate(VaultException e, String resource) {
    int status = e.getHttpStatusCode();
    if (status > 0) {
      VaultClient.Reply reply = VaultClient.parse(status, bodyOf(e));
      if (status >= 500 || status == 429 || status == 412) {
        return unavailable(status, reply.errors(), resource, null);
      }
      return new SecretStoreException(
          "Vault at "
              + settings.address()
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
              + settings.address()
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

  SecretStoreUnavailableException unavailable(
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
        settings.address(),
        status,
        errors,
        "Vault at "
            + settings.address()
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
  static byte[] bodyOf(VaultException e) {
    String message = e.getMessage();
    String marker = "Response body: ";
    int at = message == null ? -1 : message.indexOf(marker);
    return at < 0
        ? new byte[0]
        : message.substring(at + marker.length()).getBytes(StandardCharsets.UTF_8);
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
}
