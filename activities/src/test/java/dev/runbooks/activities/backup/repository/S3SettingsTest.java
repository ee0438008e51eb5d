package dev.runbooks.activities.backup.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3SettingsTest {
  @Test
  void awsItselfNeedsOnlyABucket() {
    S3Settings settings = S3Settings.fromUri("s3://backups/prod/nightly/", Map.of());
    assertEquals(
        new S3Settings("backups", "prod/nightly", "us-east-1", null, false, null, null), settings);
    assertEquals("s3://backups/prod/nightly", settings.describe());
    assertEquals("", S3Settings.fromUri("s3://backups", Map.of()).prefix());
  }

  @Test
  void theEnvironmentSuppliesRegionAndEndpointUnlessTheUriDoes() {
    Map<String, String> env =
        Map.of(
            "AWS_REGION", "eu-west-1",
            "AWS_DEFAULT_REGION", "eu-central-1",
            "AWS_ENDPOINT_URL", "http://minio:9000");
    S3Settings fromEnv = S3Settings.fromUri("s3://backups/prod", env);
    assertEquals("eu-west-1", fromEnv.region());
    assertEquals(URI.create("http://minio:9000"), fromEnv.endpoint());
    assertTrue(fromEnv.pathStyle(), "an endpoint override means path-style addressing");
    assertEquals("s3://backups/prod at http://minio:9000", fromEnv.describe());

    S3Settings fromUri =
        S3Settings.fromUri(
            "s3://backups/prod?region=ap-south-1&endpoint=https://s3.example.com&pathStyle=false",
            env);
    assertEquals("ap-south-1", fromUri.region());
    assertEquals(URI.create("https://s3.example.com"), fromUri.endpoint());
    assertFalse(fromUri.pathStyle());

    assertEquals(
        "eu-central-1",
        S3Settings.fromUri("s3://b", Map.of("AWS_DEFAULT_REGION", "eu-central-1")).region());
    assertEquals(
        URI.create("http://s3only:9000"),
        S3Settings.fromUri(
                "s3://b",
                Map.of("AWS_ENDPOINT_URL_S3", "http://s3only:9000", "AWS_ENDPOINT_URL", "http://x"))
            .endpoint());
  }

  @Test
  void readsServerSideEncryption() {
    S3Settings kms =
        S3Settings.fromUri("s3://backups/prod?sse=aws:kms&kmsKeyId=alias/backups", Map.of());
    assertEquals("aws:kms", kms.sse());
    assertEquals("alias/backups", kms.kmsKeyId());
    assertNull(S3Settings.fromUri("s3://backups", Map.of()).sse());
    assertThrows(
        IllegalArgumentException.class, () -> S3Settings.fromUri("s3://b?sse=AES128", Map.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> S3Settings.fromUri("s3://b?sse=AES256&kmsKeyId=k", Map.of()));
  }

  @Test
  void refusesWhatItCannotUseWithoutEchoingCredentials() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> S3Settings.fromUri("s3://AKIAEXAMPLE:s3cr3t@backups/prod", Map.of()));
    assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
    assertTrue(e.getMessage().contains("default chain"), e.getMessage());

    IllegalArgumentException endpoint =
        assertThrows(
            IllegalArgumentException.class,
            () -> S3Settings.fromUri("s3://b?endpoint=minio-without-scheme", Map.of()));
    assertTrue(endpoint.getMessage().contains("http(s)://host"), endpoint.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> S3Settings.fromUri("s3://b?colour=blue", Map.of()));
    assertThrows(IllegalArgumentException.class, () -> S3Settings.fromUri("s3:///prod", Map.of()));
  }
}
