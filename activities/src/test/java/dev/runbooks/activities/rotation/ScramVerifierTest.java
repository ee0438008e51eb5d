package dev.runbooks.activities.rotation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The verifier against RFC 7677's SCRAM-SHA-256 example exchange (user "user", password "pencil"):
 * a server holding only the verifier must accept the RFC's client proof and send the RFC's server
 * signature. (The rotation tests log in with real verifiers on PostgreSQL too.)
 */
class ScramVerifierTest {
  private static final String AUTH_MESSAGE =
      "n=user,r=rOprNGfwEbeRWgbNEkqO,"
          + "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
          + "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
  private static final String CLIENT_PROOF = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
  private static final String SERVER_SIGNATURE = "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

  @Test
  void acceptsTheRfc7677ExchangeAsAServerWould() throws Exception {
    byte[] salt = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    String verifier = ScramVerifier.of("pencil".toCharArray(), salt, 4096);

    String[] parts = verifier.split("[$:]");
    assertEquals("SCRAM-SHA-256", parts[0]);
    assertEquals("4096", parts[1]);
    assertEquals("W22ZaJ0SNY7soEsUEjb6gQ==", parts[2]);
    byte[] storedKey = Base64.getDecoder().decode(parts[3]);
    byte[] serverKey = Base64.getDecoder().decode(parts[4]);

    byte[] clientSignature = hmac(storedKey, AUTH_MESSAGE);
    byte[] proof = Base64.getDecoder().decode(CLIENT_PROOF);
    byte[] clientKey = new byte[proof.length];
    for (int i = 0; i < proof.length; i++) {
      clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
    }
    assertArrayEquals(storedKey, MessageDigest.getInstance("SHA-256").digest(clientKey));
    assertEquals(
        SERVER_SIGNATURE, Base64.getEncoder().encodeToString(hmac(serverKey, AUTH_MESSAGE)));
  }

  @Test
  void aFreshSaltEachTimeAndNoPlaintextInTheVerifier() {
    SecureRandom random = new SecureRandom();
    String password = "Xk3-not-in-the-verifier";
    String one = ScramVerifier.of(password.toCharArray(), random);
    String two = ScramVerifier.of(password.toCharArray(), random);
    assertNotEquals(one, two);
    assertFalse(one.contains(password));
    assertThrows(IllegalArgumentException.class, () -> ScramVerifier.of("é".toCharArray(), random));
  }

  private static byte[] hmac(byte[] key, String text) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
  }
}
