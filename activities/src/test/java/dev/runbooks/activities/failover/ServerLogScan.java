package dev.runbooks.activities.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.testing.LocalCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/**
 * Scans the server logs of throwaway clusters for secrets: the log pg_ctl writes ({@link
 * LocalCluster#logFile()}) and every other {@code *.log} file in the cluster's directory (the
 * logging collector's, the rejoin's). With {@code log_statement = all} every statement the runbooks
 * send is there, and the server's own "parameter changed" lines too.
 */
final class ServerLogScan {
  private ServerLogScan() {}

  /** Fails, naming each log and secret, when any of the secrets is in any cluster's logs. */
  static void assertNoSecrets(Collection<LocalCluster> clusters, Collection<String> secrets)
      throws IOException {
    List<String> hits = new ArrayList<>();
    for (LocalCluster cluster : clusters) {
      assertTrue(
          Files.size(cluster.logFile()) > 0, "the server log of " + cluster + " is empty: no scan");
      for (Path log : logs(cluster)) {
        String text = new String(Files.readAllBytes(log), StandardCharsets.ISO_8859_1);
        for (String secret : secrets) {
          if (text.contains(secret)) {
            hits.add(
                log
                    + " holds the secret starting "
                    + secret.substring(0, 3)
                    + " at:\n"
                    + line(text, secret));
          }
        }
      }
    }
    assertEquals(List.of(), hits, "secrets in the server logs");
  }

  /** Whether any of the clusters' logs holds {@code text} (to prove the logs show statements). */
  static boolean anyLogHolds(Collection<LocalCluster> clusters, String text) throws IOException {
    for (LocalCluster cluster : clusters) {
      for (Path log : logs(cluster)) {
        if (new String(Files.readAllBytes(log), StandardCharsets.ISO_8859_1).contains(text)) {
          return true;
        }
      }
    }
    return false;
  }

  private static List<Path> logs(LocalCluster cluster) throws IOException {
    List<Path> logs = new ArrayList<>(List.of(cluster.logFile()));
    if (Files.isDirectory(cluster.directory())) {
      try (Stream<Path> files = Files.walk(cluster.directory())) {
        files
            .filter(Files::isRegularFile)
            .filter(p -> p.getFileName().toString().endsWith(".log"))
            .filter(p -> !p.equals(cluster.logFile()))
            .forEach(logs::add);
      }
    }
    return logs;
  }

  /** The log line holding the secret, the secret itself masked. */
  private static String line(String text, String secret) {
    int at = text.indexOf(secret);
    int start = text.lastIndexOf('\n', at) + 1;
    int end = text.indexOf('\n', at);
    return text.substring(start, end < 0 ? text.length() : end).replace(secret, "********");
  }
}
