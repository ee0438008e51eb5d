package dev.runbooks.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.runbooks.activities.backup.repository.S3Settings;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.PoolerConfig;
import dev.runbooks.activities.config.RepositorySpec;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import io.temporal.common.SearchAttributeKey;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-compose.yml cannot be started on the build machine (no Docker engine), so this checks what
 * would otherwise only fail at {@code docker compose up}: services that refer to undefined ones,
 * bind mounts of files that are not in the repository, and waits on health that is never reported.
 */
class DockerComposeTest {
  private static final YAMLMapper YAML = new YAMLMapper();
  static final Path ROOT = repositoryRoot();

  private static JsonNode compose;

  @BeforeAll
  static void parseComposeFile() throws IOException {
    compose = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
  }

  @Test
  void definesTheServicesTheReadmeNames() {
    for (String name :
        List.of(
            "temporal-db",
            "temporal",
            "temporal-ui",
            "temporal-admin-tools",
            "pg-primary",
            "pg-replica",
            "minio",
            "minio-setup",
            "worker")) {
      assertTrue(services(compose).has(name), "docker-compose.yml has no service " + name);
    }
  }

  @Test
  void everyReferencedServiceIsDefined() {
    assertEquals(List.of(), undefinedServices(compose));
  }

  @Test
  void everyBindMountedPathExistsInTheRepository() {
    assertEquals(List.of(), missingBindSources(compose, ROOT));
  }

  @Test
  void everyNamedVolumeIsDeclared() {
    assertEquals(List.of(), undeclaredVolumes(compose));
  }

  @Test
  void servicesWaitedOnForHealthHaveHealthchecks() {
    assertEquals(List.of(), healthWaitsWithoutHealthcheck(compose));
  }

  @Test
  void buildContextsAndDockerfilesExist() {
    List<String> problems = new ArrayList<>();
    forEachService(
        compose,
        (name, service) -> {
          JsonNode build = service.get("build");
          if (build == null) {
            return;
          }
          String context = build.isTextual() ? build.asText() : build.path("context").asText(".");
          Path dir = ROOT.resolve(context).normalize();
          Path dockerfile = dir.resolve(build.path("dockerfile").asText("Dockerfile"));
          if (!Files.isDirectory(dir)) {
            problems.add(name + ": build context " + context + " is not a directory");
          } else if (!Files.isRegularFile(dockerfile)) {
            problems.add(name + ": " + ROOT.relativize(dockerfile) + " does not exist");
          }
        });
    assertEquals(List.of(), problems);
  }

  @Test
  void workerReadsTheMountedConfiguration() {
    JsonNode worker = services(compose).path("worker");
    String config = environment(worker).get("RUNBOOKS_CONFIG");
    assertTrue(config != null, "the worker service sets no RUNBOOKS_CONFIG");
    List<String> targets = new ArrayList<>();
    for (Mount mount : mounts(compose)) {
      if (mount.service().equals("worker") && mount.bind()) {
        targets.add(mount.target());
      }
    }
    assertTrue(
        targets.contains(config),
        "RUNBOOKS_CONFIG=" + config + " but the worker's bind mounts are " + targets);
    assertEquals("temporal:7233", environment(worker).get("TEMPORAL_ADDRESS"));
  }

  @Test
  void adminToolsRegistersEverySearchAttributeTheRunbooksSet() throws IOException {
    StringBuilder scripts = new StringBuilder();
    for (Mount mount : mounts(compose)) {
      Path source = ROOT.resolve(mount.source()).normalize();
      if (mount.service().equals("temporal-admin-tools")
          && mount.bind()
          && Files.isRegularFile(source)) {
        scripts.append(Files.readString(source, StandardCharsets.UTF_8));
      }
    }
    assertFalse(scripts.isEmpty(), "temporal-admin-tools mounts no script");
    for (SearchAttributeKey<String> key : RunbookSearchAttributes.ALL) {
      assertTrue(
          Pattern.compile("\\b" + key.getName() + "\\b").matcher(scripts).find(),
          "temporal-admin-tools does not register search attribute " + key.getName());
    }
  }

  @Test
  void theWorkersRepositoryIsTheBucketMinioSetupMakesOnTheMinioService() throws IOException {
    JsonNode services = services(compose);
    Map<String, String> worker = environment(services.path("worker"));
    RunbooksConfig config =
        ConfigLoader.load(ROOT.resolve("runbooks/examples/docker/runbooks.yaml"), Map.of());
    S3Settings s3 = S3Settings.of((RepositorySpec.S3) config.repository(), worker);
    assertEquals("runbooks-backups", s3.bucket());
    assertEquals("docker", s3.prefix());
    assertTrue(s3.pathStyle(), "MinIO wants path-style requests");
    assertEquals(URI.create("http://minio:9000"), s3.endpoint());
    assertTrue(services.has(s3.endpoint().getHost()), "the endpoint's host is a service");
    assertTrue(
        worker.containsKey("AWS_ACCESS_KEY_ID") && worker.containsKey("AWS_SECRET_ACCESS_KEY"),
        "the worker gets S3 credentials from the AWS variables: " + worker.keySet());

    Map<String, String> setup = environment(services.path("minio-setup"));
    assertEquals(s3.bucket(), setup.get("BUCKET"));
    assertEquals(worker.get("AWS_ACCESS_KEY_ID"), setup.get("WORKER_ACCESS_KEY"));
    assertEquals(worker.get("AWS_SECRET_ACCESS_KEY"), setup.get("WORKER_SECRET_KEY"));
    assertEquals(
        environment(services.path("minio")).get("MINIO_ROOT_PASSWORD"),
        setup.get("MINIO_ROOT_PASSWORD"));
    assertEquals(
        "service_completed_successfully",
        services.path("worker").path("depends_on").path("minio-setup").path("condition").asText());
  }

  @Test
  void theExampleConfigurationsLoad() {
    RunbooksConfig example =
        ConfigLoader.load(ROOT.resolve("runbooks/examples/runbooks.yaml"), Map.of());
    assertEquals(List.of("orders", "reporting"), List.copyOf(example.targets().keySet()));
    assertEquals(30, example.target("orders").retention().keepLast());
    assertEquals(7, example.target("reporting").retention().keepLast());
    assertEquals(java.time.Duration.ofHours(26), example.target("reporting").backupFreshness());
    RunbooksConfig docker =
        ConfigLoader.load(ROOT.resolve("runbooks/examples/docker/runbooks.yaml"), Map.of());
    assertEquals(List.of("orders"), List.copyOf(docker.targets().keySet()));
  }

  @Test
  void theWorkersPoolerIsThePgbouncerServiceWithItsIniOnAVolumeBothMount() {
    PoolerConfig pooler =
        ConfigLoader.load(ROOT.resolve("runbooks/examples/docker/runbooks.yaml"), Map.of())
            .target("orders")
            .failover()
            .pooler();
    assertTrue(pooler != null, "the docker example's orders target names no failover.pooler");
    assertEquals("pgbouncer", pooler.host());
    assertTrue(services(compose).has(pooler.host()), "the pooler's host is a service");
    assertEquals(
        "pg-primary", environment(services(compose).path("pgbouncer")).get("DB_HOST"), "in front");
    String dir = pooler.ini().getParent().toString();
    Map<String, String> volumeAt = new java.util.HashMap<>();
    for (Mount mount : mounts(compose)) {
      if (!mount.bind() && mount.target().equals(dir)) {
        volumeAt.put(mount.service(), mount.source());
      }
    }
    assertTrue(volumeAt.get("worker") != null, "the worker mounts no volume at " + dir);
    assertEquals(volumeAt.get("worker"), volumeAt.get("pgbouncer"), "one volume for both");
    assertEquals(
        pooler.ini().toString(),
        environment(services(compose).path("pgbouncer")).get("PGBOUNCER_INI"),
        "PgBouncer reads the file the worker rewrites");
  }

  /**
   * The archiver, the physical backup and the PITR restore run pg_receivewal, pg_basebackup and the
   * server itself on the worker: a worker image with the client tools only finds no server (no
   * initdb) and fails them all, and a restore needs the primary's own major version.
   */
  @Test
  void theWorkerImageHasTheServerProgramsOfThePrimarysMajorVersionAndStartsTheArchiver()
      throws IOException {
    String image = services(compose).path("pg-primary").path("image").asText();
    assertTrue(image.matches("postgres:\\d+.*"), image);
    String major = image.replaceAll("postgres:(\\d+).*", "$1");
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    assertTrue(
        dockerfile.contains("ARG PG_MAJOR=" + major),
        "the worker image's PG_MAJOR must be the primary's " + major);
    assertTrue(
        dockerfile.matches("(?s).*apt-get install[^\\n]*postgresql-\\$\\{PG_MAJOR}.*"),
        "the worker image installs the server package postgresql-${PG_MAJOR}");
    assertTrue(dockerfile.contains("create_main_cluster = false"), "no cluster in the image");
    JsonNode archiver = services(compose).path("archiver-start");
    assertEquals(
        List.of("archive", "start", "--target", "orders"),
        YAML.convertValue(archiver.path("command"), List.class));
    assertEquals(
        services(compose).path("worker").path("image").asText(),
        archiver.path("image").asText(),
        "archiver-start runs the worker's image");
  }

  @Test
  void publishedPortsListenOnLoopbackOnly() {
    assertEquals(List.of(), portsOpenToTheNetwork(compose));
  }

  @Test
  void findsPortsOpenToTheNetwork() throws IOException {
    JsonNode broken =
        YAML.readTree(
            """
            services:
              a:
                image: x
                ports: ["127.0.0.1:80:80", "8080:8080", "9000", { target: 90, published: 90 },
                        { target: 91, published: 91, host_ip: 127.0.0.1 }]
            """);
    assertEquals(
        List.of("a publishes 8080:8080", "a publishes 9000", "a publishes 90 -> 90"),
        portsOpenToTheNetwork(broken));
  }

  @Test
  void findsUndefinedServicesInEveryReferenceForm() throws IOException {
    JsonNode broken =
        YAML.readTree(
            """
            services:
              a:
                image: x
                depends_on: [b, missing-list]
              c:
                image: x
                depends_on:
                  a: { condition: service_started }
                  missing-map: { condition: service_started }
                network_mode: service:missing-network
                links: ["missing-link:alias", a]
                volumes_from: ["missing-volumes:ro", "container:not-a-service", a]
              b:
                image: x
            """);
    assertEquals(
        List.of(
            "a depends_on missing-list: no such service",
            "c depends_on missing-map: no such service",
            "c links missing-link: no such service",
            "c network_mode missing-network: no such service",
            "c volumes_from missing-volumes: no such service"),
        undefinedServices(broken));
  }

  @Test
  void findsMissingBindSourcesAndUndeclaredVolumes(@TempDir Path repo) throws IOException {
    Files.writeString(repo.resolve("present.conf"), "");
    JsonNode broken =
        YAML.readTree(
            """
            services:
              a:
                image: x
                volumes:
                  - ./present.conf:/etc/present.conf:ro
                  - ./absent.conf:/etc/absent.conf
                  - ../outside:/outside
                  - undeclared:/data
                  - declared:/more
                  - type: bind
                    source: ./absent-long
                    target: /long
            volumes:
              declared:
            """);
    assertEquals(
        List.of(
            "a: ./absent.conf does not exist",
            "a: ../outside is outside the repository",
            "a: ./absent-long does not exist"),
        missingBindSources(broken, repo));
    assertEquals(
        List.of("a: volume undeclared is not under top-level volumes"), undeclaredVolumes(broken));
  }

  @Test
  void findsHealthWaitsOnServicesWithoutHealthchecks() throws IOException {
    JsonNode broken =
        YAML.readTree(
            """
            services:
              a:
                image: x
                depends_on:
                  b: { condition: service_healthy }
                  c: { condition: service_healthy }
              b:
                image: x
              c:
                image: x
                healthcheck: { test: ["CMD", "true"] }
            """);
    assertEquals(
        List.of("a waits for b to be healthy, but b has no healthcheck"),
        healthWaitsWithoutHealthcheck(broken));
  }

  // --- The checks, as functions of a parsed compose file, so the tests above can prove they fail.

  record Mount(String service, String source, String target, boolean bind) {}

  static JsonNode services(JsonNode file) {
    JsonNode services = file.path("services");
    assertTrue(services.isObject() && !services.isEmpty(), "no services: in the compose file");
    return services;
  }

  private static void forEachService(JsonNode file, BiConsumer<String, JsonNode> visitor) {
    for (Map.Entry<String, JsonNode> entry : services(file).properties()) {
      visitor.accept(entry.getKey(), entry.getValue());
    }
  }

  /** "SERVICE FIELD REFERENCED: no such service" for each reference to an undefined service. */
  private static List<String> undefinedServices(JsonNode file) {
    JsonNode services = services(file);
    List<String> problems = new ArrayList<>();
    forEachService(
        file,
        (name, service) -> {
          List<String[]> refs = new ArrayList<>();
          JsonNode dependsOn = service.path("depends_on");
          if (dependsOn.isArray()) {
            dependsOn.forEach(d -> refs.add(new String[] {"depends_on", d.asText()}));
          } else if (dependsOn.isObject()) {
            dependsOn.properties().forEach(d -> refs.add(new String[] {"depends_on", d.getKey()}));
          }
          // links: SERVICE or SERVICE:ALIAS
          service
              .path("links")
              .forEach(l -> refs.add(new String[] {"links", l.asText().split(":", 2)[0]}));
          for (String field : List.of("network_mode", "ipc", "pid")) {
            String value = service.path(field).asText("");
            if (value.startsWith("service:")) {
              refs.add(new String[] {field, value.substring("service:".length())});
            }
          }
          // volumes_from: SERVICE[:ro|rw] or container:NAME[:ro|rw]; a container is not a service.
          for (JsonNode v : service.path("volumes_from")) {
            if (!v.asText().startsWith("container:")) {
              refs.add(new String[] {"volumes_from", v.asText().split(":", 2)[0]});
            }
          }
          JsonNode extended = service.path("extends");
          if (extended.isObject() && !extended.has("file")) {
            refs.add(new String[] {"extends", extended.path("service").asText()});
          }
          for (String[] ref : refs) {
            if (!services.has(ref[1])) {
              problems.add(name + " " + ref[0] + " " + ref[1] + ": no such service");
            }
          }
        });
    problems.sort(null);
    return problems;
  }

  static List<Mount> mounts(JsonNode file) {
    List<Mount> mounts = new ArrayList<>();
    forEachService(
        file,
        (name, service) -> {
          for (JsonNode volume : service.path("volumes")) {
            if (volume.isTextual()) {
              // SOURCE:TARGET[:MODE], or just TARGET for an anonymous volume.
              String[] parts = volume.asText().split(":");
              if (parts.length >= 2) {
                String source = parts[0];
                boolean bind =
                    source.startsWith(".") || source.startsWith("/") || source.startsWith("~");
                mounts.add(new Mount(name, source, parts[1], bind));
              }
            } else {
              String type = volume.path("type").asText("volume");
              String source = volume.path("source").asText("");
              if (!source.isEmpty() && (type.equals("bind") || type.equals("volume"))) {
                mounts.add(
                    new Mount(name, source, volume.path("target").asText(), type.equals("bind")));
              }
            }
          }
        });
    return mounts;
  }

  /** Relative bind sources must exist inside the repository, the compose file's directory. */
  private static List<String> missingBindSources(JsonNode file, Path repository) {
    List<String> problems = new ArrayList<>();
    for (Mount mount : mounts(file)) {
      if (!mount.bind() || mount.source().startsWith("/") || mount.source().startsWith("~")) {
        continue; // an absolute host path is the host's business, not the repository's
      }
      if (mount.source().contains("$")) {
        problems.add(mount.service() + ": " + mount.source() + " uses interpolation; not checked");
        continue;
      }
      Path path = repository.resolve(mount.source()).normalize();
      if (!path.startsWith(repository.normalize())) {
        problems.add(mount.service() + ": " + mount.source() + " is outside the repository");
      } else if (!Files.exists(path)) {
        problems.add(mount.service() + ": " + mount.source() + " does not exist");
      }
    }
    return problems;
  }

  private static List<String> undeclaredVolumes(JsonNode file) {
    JsonNode declared = file.path("volumes");
    List<String> problems = new ArrayList<>();
    for (Mount mount : mounts(file)) {
      if (!mount.bind() && !declared.has(mount.source())) {
        problems.add(
            mount.service() + ": volume " + mount.source() + " is not under top-level volumes");
      }
    }
    return problems;
  }

  /** Compose refuses to start a service that waits on the health of one with no healthcheck. */
  private static List<String> healthWaitsWithoutHealthcheck(JsonNode file) {
    JsonNode services = services(file);
    List<String> problems = new ArrayList<>();
    forEachService(
        file,
        (name, service) -> {
          JsonNode dependsOn = service.path("depends_on");
          if (!dependsOn.isObject()) {
            return;
          }
          dependsOn
              .properties()
              .forEach(
                  dep -> {
                    if (!dep.getValue().path("condition").asText().equals("service_healthy")) {
                      return;
                    }
                    JsonNode check = services.path(dep.getKey()).path("healthcheck");
                    boolean disabled =
                        check.path("disable").asBoolean(false)
                            || check.path("test").path(0).asText().equals("NONE");
                    if (check.isMissingNode() || disabled) {
                      problems.add(
                          name
                              + " waits for "
                              + dep.getKey()
                              + " to be healthy, but "
                              + dep.getKey()
                              + " has no healthcheck");
                    }
                  });
        });
    return problems;
  }

  /** Ports published on every interface: the stack's throwaway passwords would be reachable. */
  private static List<String> portsOpenToTheNetwork(JsonNode file) {
    List<String> problems = new ArrayList<>();
    forEachService(
        file,
        (name, service) -> {
          for (JsonNode port : service.path("ports")) {
            if (port.isObject()) {
              if (!port.path("host_ip").asText().equals("127.0.0.1")) {
                problems.add(
                    name
                        + " publishes "
                        + port.path("published").asText()
                        + " -> "
                        + port.path("target").asText());
              }
            } else if (!port.asText().startsWith("127.0.0.1:")) {
              problems.add(name + " publishes " + port.asText());
            }
          }
        });
    return problems;
  }

  static Map<String, String> environment(JsonNode service) {
    Map<String, String> env = new LinkedHashMap<>();
    JsonNode node = service.path("environment");
    if (node.isObject()) {
      node.properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()));
    } else {
      for (JsonNode entry : node) {
        String[] kv = entry.asText().split("=", 2);
        env.put(kv[0], kv.length == 2 ? kv[1] : "");
      }
    }
    return env;
  }

  /** The worker module's tests run in worker/; the repository is the first parent with the file. */
  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      if (Files.isRegularFile(dir.resolve("docker-compose.yml"))
          && Files.isRegularFile(dir.resolve("mvnw"))) {
        return dir;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException(
        "no docker-compose.yml next to mvnw in "
            + Path.of("").toAbsolutePath()
            + " or its parents; run the tests from inside the repository");
  }
}
