package dev.runbooks.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway Prometheus server (the Debian package's {@code /usr/bin/prometheus}) on 127.0.0.1, a
 * free port, its own directory and configuration, scraping the given targets every second; and
 * {@code promtool}, for the alert rules' unit tests. {@code .ci/run} installs the package.
 */
public final class LocalPrometheus implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;

  private LocalPrometheus(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** The program {@code name} of the prometheus package, from PATH or /usr/bin. */
  public static Path program(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    Path packaged = Path.of("/usr/bin", name);
    if (Files.isExecutable(packaged)) {
      return packaged;
    }
    throw new IllegalStateException(
        name
            + " was not found on PATH nor in /usr/bin: install the Debian package 'prometheus'"
            + " (apt-get install --no-install-recommends prometheus), as .ci/run does.");
  }

  /** Runs promtool with {@code args} in {@code dir}; returns its exit code and output. */
  public static Result promtool(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(program("promtool").toString());
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("promtool " + String.join(" ", args) + " hung:\n" + out);
    }
    return new Result(p.exitValue(), out);
  }

  public record Result(int code, String output) {}

  /**
   * Starts Prometheus in {@code dir} scraping {@code targets} ({@code host:port}) every second, and
   * waits until it is ready.
   */
  public static LocalPrometheus start(Path dir, List<String> targets)
      throws IOException, InterruptedException {
    return start(dir, targets, List.of());
  }

  /**
   * As {@link #start(Path, List)}, with {@code ruleFiles} loaded and evaluated every second (as
   * {@code rule_files}: a bad file stops the start, naming it).
   */
  public static LocalPrometheus start(Path dir, List<String> targets, List<Path> ruleFiles)
      throws IOException, InterruptedException {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    StringBuilder config =
        new StringBuilder(
            "global: { scrape_interval: 1s, evaluation_interval: 1s }\n"
                + "scrape_configs:\n"
                + "  - job_name: runbooks\n"
                + "    scrape_timeout: 1s\n"
                + "    static_configs:\n"
                + "      - targets: [");
    config.append(String.join(", ", targets.stream().map(t -> "'" + t + "'").toList()));
    config.append("]\n");
    if (!ruleFiles.isEmpty()) {
      config.append("rule_files:\n");
      for (Path rules : ruleFiles) {
        config.append("  - '").append(rules.toAbsolutePath()).append("'\n");
      }
    }
    Path file = Files.writeString(dir.resolve("prometheus.yml"), config);
    Path log = dir.resolve("prometheus.log");
    Process process =
        new ProcessBuilder(
                program("prometheus").toString(),
                "--config.file=" + file,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    LocalPrometheus prometheus = new LocalPrometheus(process, port, log);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "prometheus exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        if (prometheus.get("/-/ready").startsWith("Prometheus")) {
          return prometheus;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    prometheus.close();
    throw new IllegalStateException("prometheus was not ready in 60 s:\n" + Files.readString(log));
  }

  public int port() {
    return port;
  }

  /** The body of {@code GET path} (e.g. {@code /api/v1/query?query=up}). */
  public String get(String path) throws IOException {
    HttpURLConnection c =
        (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
    c.setConnectTimeout(5_000);
    c.setReadTimeout(30_000);
    try {
      if (c.getResponseCode() != 200) {
        throw new IOException("prometheus answered " + c.getResponseCode() + " to " + path);
      }
      return new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      c.disconnect();
    }
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
