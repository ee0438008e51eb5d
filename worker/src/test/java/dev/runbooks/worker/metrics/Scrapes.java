package dev.runbooks.worker.metrics;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/** Reads a metrics endpoint over HTTP, as Prometheus does. */
final class Scrapes {
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private Scrapes() {}

  static String scrape(int port, Duration timeout) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(timeout)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new AssertionError("scrape answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  /** Every sample whose name starts with {@code prefix}: the series line to its value. */
  static Map<String, String> samples(String text, String prefix) {
    Map<String, String> samples = new TreeMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith(prefix)) {
        int space = line.lastIndexOf(' ');
        samples.put(line.substring(0, space), line.substring(space + 1));
      }
    }
    return samples;
  }
}
