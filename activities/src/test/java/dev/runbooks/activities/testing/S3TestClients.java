package dev.runbooks.activities.testing;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** S3 clients for an S3-compatible server in a test: path-style, fixed test credentials. */
public final class S3TestClients {
  private S3TestClients() {}

  /** A builder for {@code endpoint}, to add to (an interceptor) before building. */
  public static S3ClientBuilder builder(URI endpoint) {
    return S3Client.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(endpoint)
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .httpClientBuilder(Apache5HttpClient.builder());
  }

  public static S3Client client(URI endpoint) {
    return builder(endpoint).build();
  }
}
