package dev.runbooks.worker;

import static dev.runbooks.worker.DockerComposeTest.ROOT;
import static dev.runbooks.worker.DockerComposeTest.environment;
import static dev.runbooks.worker.DockerComposeTest.mounts;
import static dev.runbooks.worker.DockerComposeTest.services;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.runbooks.testing.LocalPrometheus;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-compose.yml's observability services, checked as far as the build machine can without a
 * Docker engine: Prometheus scrapes the worker's metrics port and loads every shipped rule file
 * (its configuration passes {@code promtool check config}), Grafana's data source is that
 * Prometheus and its dashboard is runbooks/dashboards, and the Temporal UI reaches the codec server
 * with the server's own token through the gateway.
 */
class ObservabilityStackTest {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static JsonNode compose;

  @TempDir Path dir;

  @BeforeAll
  static void parseComposeFile() throws IOException {
    compose = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
  }

  @Test
  void definesPrometheusGrafanaAndTheCodecServer() {
    for (String name : List.of("prometheus", "grafana", "codec-server", "codec-gateway")) {
      assertTrue(services(compose).has(name), "docker-compose.yml has no service " + name);
    }
  }

  @Test
  void prometheusScrapesTheWorkersMetricsPort() throws IOException {
    JsonNode config =
        YAML.readTree(hostPath("prometheus", "/etc/prometheus/prometheus.yml").toFile());
    List<String> targets = new ArrayList<>();
    for (JsonNode job : config.path("scrape_configs")) {
      for (JsonNode statics : job.path("static_configs")) {
        statics.path("targets").forEach(t -> targets.add(t.asText()));
      }
    }
    String port = option(services(compose).path("worker").path("command"), "--metrics-port");
    assertEquals(List.of("worker:" + port), targets, "the worker's command sets port " + port);
  }

  @Test
  void prometheusLoadsEveryShippedRuleFileAndItsConfigurationChecks() throws Exception {
    Path file = hostPath("prometheus", "/etc/prometheus/prometheus.yml");
    ObjectNode config = (ObjectNode) YAML.readTree(file.toFile());
    Set<Path> loaded = new TreeSet<>();
    ArrayNode onHost = config.putArray("rule_files_on_host");
    for (JsonNode rules : config.path("rule_files")) {
      Path host = hostPath("prometheus", rules.asText());
      assertTrue(Files.isRegularFile(host), rules.asText() + " is " + host + ": no such file");
      loaded.add(host.toRealPath());
      onHost.add(host.toString());
    }
    Set<Path> shipped = new TreeSet<>();
    try (Stream<Path> files = Files.list(ROOT.resolve("runbooks/alerts"))) {
      for (Path p : files.toList()) {
        if (p.toString().endsWith(".yml") && !p.toString().endsWith(".test.yml")) {
          shipped.add(p.toRealPath());
        }
      }
    }
    assertEquals(shipped, loaded, "docker/prometheus/prometheus.yml must list every rule file");

    // promtool reads the rule files too, so it gets them at their paths on this machine.
    config.set("rule_files", config.remove("rule_files_on_host"));
    Path copy = dir.resolve("prometheus.yml");
    YAML.writeValue(copy.toFile(), config);
    LocalPrometheus.Result check =
        LocalPrometheus.promtool(dir, "check", "config", copy.toString());
    assertEquals(0, check.code(), check.output());
  }

  @Test
  void grafanaShowsTheDashboardFromThePrometheusService() throws IOException {
    JsonNode datasources =
        YAML.readTree(
            hostPath("grafana", "/etc/grafana/provisioning/datasources/prometheus.yml").toFile());
    JsonNode datasource = datasources.path("datasources").get(0);
    URI url = URI.create(datasource.path("url").asText());
    assertEquals("prometheus", url.getHost(), "the data source is the prometheus service");
    assertTrue(
        services(compose).path("prometheus").path("ports").get(0).asText().endsWith(":9090"));
    assertEquals(9090, url.getPort());

    JsonNode providers =
        YAML.readTree(
            hostPath("grafana", "/etc/grafana/provisioning/dashboards/runbooks.yml").toFile());
    Path dashboards =
        hostPath(
            "grafana", providers.path("providers").get(0).path("options").path("path").asText());
    assertEquals(ROOT.resolve("runbooks/dashboards").toRealPath(), dashboards.toRealPath());
    JsonNode dashboard = new ObjectMapper().readTree(dashboards.resolve("runbooks.json").toFile());
    Set<String> uids = new TreeSet<>();
    for (JsonNode node : dashboard.findValues("datasource")) {
      uids.add(node.path("uid").asText());
    }
    assertEquals(Set.of(datasource.path("uid").asText()), uids, "the dashboard's data sources");
    String home =
        environment(services(compose).path("grafana"))
            .get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH");
    assertTrue(Files.isRegularFile(hostPath("grafana", home)), home);
  }

  @Test
  void theUiReachesTheCodecServerWithItsTokenThroughTheGateway() throws IOException {
    JsonNode services = services(compose);
    URI endpoint =
        URI.create(environment(services.path("temporal-ui")).get("TEMPORAL_CODEC_ENDPOINT"));
    assertEquals("localhost", endpoint.getHost());
    String gatewayPort = services.path("codec-gateway").path("ports").get(0).asText();
    assertEquals("127.0.0.1:" + endpoint.getPort() + ":8081", gatewayPort);

    String template =
        Files.readString(hostPath("codec-gateway", "/etc/nginx/templates/default.conf.template"));
    assertTrue(template.contains("listen 8081;"), template);
    JsonNode server = services.path("codec-server");
    String listen = option(server.path("command"), "--listen");
    Matcher proxy = Pattern.compile("proxy_pass http://([\\w-]+):(\\d+);").matcher(template);
    assertTrue(proxy.find(), template);
    assertEquals("codec-server", proxy.group(1));
    assertEquals(listen.substring(listen.lastIndexOf(':') + 1), proxy.group(2));
    assertTrue(template.contains("\"Bearer ${RUNBOOKS_CODEC_TOKEN}\""), template);
    String token = environment(server).get("RUNBOOKS_CODEC_TOKEN");
    assertTrue(token != null && token.length() >= 16, "the codec server needs a token of 16+");
    assertEquals(token, environment(services.path("codec-gateway")).get("RUNBOOKS_CODEC_TOKEN"));

    String uiPort = services.path("temporal-ui").path("ports").get(0).asText().split(":")[1];
    assertEquals("http://localhost:" + uiPort, option(server.path("command"), "--cors-origin"));
    assertTrue(
        Files.isRegularFile(hostPath("codec-server", environment(server).get("RUNBOOKS_CONFIG"))),
        "the codec server reads the worker's mounted configuration");
  }

  /** The value after {@code name} in a service's command list. */
  private static String option(JsonNode command, String name) {
    for (int i = 0; i + 1 < command.size(); i++) {
      if (command.get(i).asText().equals(name)) {
        return command.get(i + 1).asText();
      }
    }
    throw new AssertionError("no " + name + " in the command " + command);
  }

  /** Where {@code containerPath} of {@code service} comes from in the repository (a bind mount). */
  private static Path hostPath(String service, String containerPath) {
    for (DockerComposeTest.Mount mount : mounts(compose)) {
      String target = mount.target();
      if (mount.service().equals(service)
          && mount.bind()
          && (containerPath.equals(target) || containerPath.startsWith(target + "/"))) {
        Path source = ROOT.resolve(mount.source()).normalize();
        String rest = containerPath.substring(target.length()).replaceFirst("^/", "");
        return rest.isEmpty() ? source : source.resolve(rest);
      }
    }
    throw new AssertionError(service + " mounts nothing from the repository at " + containerPath);
  }
}
