package dev.runbooks.activities.secrets;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS context for Vault's HTTPS: the JVM's trust store, the CA certificates of {@code
 * VAULT_CACERT}, or (tests only, {@code VAULT_SKIP_VERIFY}) no verification at all.
 */
final class VaultTlsContext {
  private VaultTlsContext() {}

  static SSLContext of(VaultSettings settings) {
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
}
