package dev.runbooks.workflows.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.common.converter.DefaultDataConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecretRefTest {

  @Test
  void parsesAPathAsTheLatestVersion() {
    SecretRef ref = SecretRef.parse("db/orders/admin");
    assertEquals("db/orders/admin", ref.path());
    assertNull(ref.version());
  }

  @Test
  void parsesAPathWithAVersion() {
    SecretRef ref = SecretRef.parse("db/orders/admin@3");
    assertEquals(new SecretRef("db/orders/admin", 3), ref);
  }

  @Test
  void acceptsEveryAllowedCharacter() {
    assertEquals("A-z_0.9/x", SecretRef.parse("A-z_0.9/x").path());
    assertEquals("single", SecretRef.parse("single").path());
  }

  @Test
  void writesTheFormItReads() {
    assertEquals("db/orders/admin@3", SecretRef.parse("db/orders/admin@3").toString());
    assertEquals("db/orders/admin", SecretRef.latest("db/orders/admin").toString());
    assertEquals(
        SecretRef.parse("db/x@12"), SecretRef.parse(SecretRef.parse("db/x@12").toString()));
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\'',
      value = {
        "''                         | empty",
        "/db/orders                 | starts or ends with '/'",
        "db/orders/                 | starts or ends with '/'",
        "db//orders                 | empty segment",
        "'db/or ders'               | a space",
        "db/orders$                 | \"$\"",
        "db/ördérs                  | \"ö\"",
        "db/../admin                | \"..\" segment",
        "../admin                   | \"..\" segment",
        "db/./admin                 | \".\" segment",
        "db/orders@                 | expected a positive whole number",
        "db/orders@0                | expected a positive whole number",
        "db/orders@-1               | expected a positive whole number",
        "db/orders@abc              | expected a positive whole number",
        "db/orders@1.5              | expected a positive whole number",
        "db/orders@99999999999      | expected a positive whole number",
        "db/orders@1@2              | expected a positive whole number",
        "@3                         | empty",
      })
  void rejectsMalformedReferencesNamingTheProblem(String text, String problem) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SecretRef.parse(text));
    assertTrue(
        e.getMessage().contains(problem),
        () -> "expected \"" + problem + "\" in: " + e.getMessage());
  }

  @Test
  void rejectsNull() {
    assertThrows(IllegalArgumentException.class, () -> SecretRef.parse(null));
  }

  @Test
  void travelsThroughTemporalPayloadsAsPathAndVersion() {
    DefaultDataConverter converter = DefaultDataConverter.newDefaultInstance();
    for (SecretRef ref : new SecretRef[] {SecretRef.parse("db/a@2"), SecretRef.parse("db/a")}) {
      var payload = converter.toPayload(ref).orElseThrow();
      String json = payload.getData().toStringUtf8();
      assertTrue(json.contains("\"path\":\"db/a\""), json);
      assertEquals(ref, converter.fromPayload(payload, SecretRef.class, SecretRef.class));
    }
  }
}
