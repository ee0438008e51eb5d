package dev.runbooks.activities.backup.repository;

import dev.runbooks.activities.config.RepositorySpec;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where an S3 repository is and how to reach it, from a URI such as {@code
 * s3://backups/prod?region=eu-west-1&sse=aws:kms&kmsKeyId=alias/backups}.
 *
 * <p>Query options: {@code region} (else {@code AWS_REGION}, {@code AWS_DEFAULT_REGION}, then
 * {@code us-east-1}); {@code endpoint} (else {@code AWS_ENDPOINT_URL_S3}, {@code AWS_ENDPOINT_URL};
 * for MinIO and other S3-compatible stores); {@code pathStyle} (default: true when an endpoint is
 * set); {@code sse} ({@code AES256} or {@code aws:kms}) and {@code kmsKeyId}. Credentials come from
 * the AWS default chain, never from the URI.
 *
 * @param prefix the key prefix inside the bucket, without leading or trailing {@code /}; may be
 *     empty
 * @param endpoint null for AWS itself
 * @param sse null for the bucket's default encryption
 * @param kmsKeyId null unless {@code sse} is {@code aws:kms} with a key other than the default
 */
public record S3Settings(
    String bucket,
    String prefix,
    String region,
    URI endpoint,
    boolean pathStyle,
    String sse,
    String kmsKeyId) {

  public static final String DEFAULT_REGION = "us-east-1";

  private static final Set<String> OPTIONS =
      Set.of("region", "endpoint", "pathStyle", "sse", "kmsKeyId");

  public S3Settings {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(region, "region");
  }

  /**
   * Reads {@code s3://bucket[/prefix][?options]}; {@code env} supplies the AWS environment
   * variables ({@code System.getenv()} in production).
   *
   * @throws IllegalArgumentException naming what is wrong and the expected form
   */
  public static S3Settings fromUri(String uri, Map<String, String> env) {
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      throw usage(uri, e.getReason());
    }
    if (!"s3".equals(parsed.getScheme()) || parsed.getRawAuthority() == null) {
      throw usage(uri, "not an s3://bucket URI");
    }
    String bucket = parsed.getRawAuthority();
    if (bucket.contains("@") || bucket.contains(":")) {
      throw usage(
          uri,
          "the bucket name cannot hold credentials or a port; credentials come from"
              + " the AWS default chain, an endpoint from ?endpoint=");
    }
    String prefix = parsed.getPath() == null ? "" : trimSlashes(parsed.getPath());
    return build(uri, bucket, prefix, parsed.getRawQuery(), env);
  }

  /**
   * The settings for a repository the configuration names, with its options and {@code env}'s AWS
   * environment variables.
   *
   * @throws IllegalArgumentException naming what is wrong with an option
   */
  public static S3Settings of(RepositorySpec.S3 spec, Map<String, String> env) {
    return build(spec.uri(), spec.bucket(), trimSlashes(spec.prefix()), spec.options(), env);
  }

  private static S3Settings build(
      String uri, String bucket, String prefix, String rawQuery, Map<String, String> env) {
    Map<String, String> options = query(uri, rawQuery);

    String region =
        first(options.get("region"), env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION"));
    String endpoint =
        first(options.get("endpoint"), env.get("AWS_ENDPOINT_URL_S3"), env.get("AWS_ENDPOINT_URL"));
    URI endpointUri = null;
    if (endpoint != null) {
      endpointUri = URI.create(endpoint);
      if (endpointUri.getScheme() == null || endpointUri.getHost() == null) {
        throw usage(
            uri, "the endpoint " + redact(endpoint) + " is not an http(s)://host[:port] URL");
      }
    }
    boolean pathStyle =
        options.containsKey("pathStyle")
            ? Boolean.parseBoolean(options.get("pathStyle"))
            : endpointUri != null;
    String sse = options.get("sse");
    if (sse != null && !sse.equals("AES256") && !sse.equals("aws:kms")) {
      throw usage(uri, "sse must be AES256 or aws:kms, found " + sse);
    }
    String kmsKeyId = options.get("kmsKeyId");
    if (kmsKeyId != null && !"aws:kms".equals(sse)) {
      throw usage(uri, "kmsKeyId needs sse=aws:kms");
    }
    return new S3Settings(
        bucket,
        prefix,
        region == null ? DEFAULT_REGION : region,
        endpointUri,
        pathStyle,
        sse,
        kmsKeyId);
  }

  /** {@code s3://bucket/prefix}, and the endpoint when it is not AWS's; never credentials. */
  public String describe() {
    String where = "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    if (endpoint == null) {
      return where;
    }
    String port = endpoint.getPort() < 0 ? "" : ":" + endpoint.getPort();
    return where + " at " + endpoint.getScheme() + "://" + endpoint.getHost() + port;
  }

  private static Map<String, String> query(String uri, String rawQuery) {
    Map<String, String> options = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return options;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name =
          URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (!OPTIONS.contains(name)) {
        throw usage(
            uri, "unknown option " + name + "; known: region, endpoint, pathStyle, sse, kmsKeyId");
      }
      options.put(name, value);
    }
    return options;
  }

  private static String first(String... candidates) {
    for (String c : candidates) {
      if (c != null && !c.isBlank()) {
        return c;
      }
    }
    return null;
  }

  private static String trimSlashes(String path) {
    int start = 0;
    int end = path.length();
    while (start < end && path.charAt(start) == '/') {
      start++;
    }
    while (end > start && path.charAt(end - 1) == '/') {
      end--;
    }
    return path.substring(start, end);
  }

  private static IllegalArgumentException usage(String uri, String problem) {
    return new IllegalArgumentException(
        "expected a repository like s3://bucket/prefix?region=eu-west-1 but "
            + redact(uri)
            + ": "
            + problem);
  }

  /** Hides anything that looks like user:password@ before it reaches a message. */
  static String redact(String text) {
    return text == null ? null : text.replaceAll("//[^/?#@]*@", "//***@");
  }
}
