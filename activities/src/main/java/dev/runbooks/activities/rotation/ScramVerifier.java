package dev.runbooks.activities.rotation;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802 and 7677, as {@code
 * pg_authid.rolpassword} spells it): {@code
 * SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>}. Computed here so that {@code ALTER
 * ROLE ... PASSWORD} carries the verifier and the plaintext never reaches the server, its statement
 * log or {@code pg_stat_statements}.
 *
 * <p>Passwords must be printable ASCII: SASLprep leaves those unchanged, so no normalisation is
 * needed (the passwords rotation makes are base64url).
 */
final class ScramVerifier {
  /** PostgreSQL's default {@code scram_iterations}. */
  static final int ITERATIONS = 4096;

  private static final int SALT_BYTES = 16;

  private ScramVerifier() {}

  /** A verifier with a fresh random salt. */
  static String of(char[] password, SecureRandom random) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    return of(password, salt, ITERATIONS);
  }

  static String of(char[] password, byte[] salt, int iterations) {
    for (char c : password) {
      if (c < 0x21 || c > 0x7e) {
        throw new IllegalArgumentException(
            "expected a password of printable ASCII characters (no SASLprep is done here)");
      }
    }
    try {
      SecretKeyFactory pbkdf2 = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
      PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
      byte[] salted;
      try {
        salted = pbkdf2.generateSecret(spec).getEncoded();
      } finally {
        spec.clearPassword();
      }
      byte[] clientKey = hmac(salted, "Client Key");
      byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
      byte[] serverKey = hmac(salted, "Server Key");
      Base64.Encoder b64 = Base64.getEncoder();
      return "SCRAM-SHA-256$"
          + iterations
          + ":"
          + b64.encodeToString(salt)
          + "$"
          + b64.encodeToString(storedKey)
          + ":"
          + b64.encodeToString(serverKey);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM lacks PBKDF2WithHmacSHA256 or HmacSHA256", e);
    }
  }

  private static byte[] hmac(byte[] key, String text) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(text.getBytes(StandardCharsets.US_ASCII));
  }
}
