package dev.runbooks.worker;

import com.uber.m3.tally.Scope;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.envconfig.ClientConfigProfile;
import io.temporal.envconfig.ClientConfigTLS;
import io.temporal.envconfig.LoadClientConfigProfileOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A connected Temporal client. Settings come from Temporal's environment configuration (profiles in
 * temporal.toml, {@code TEMPORAL_ADDRESS}, {@code TEMPORAL_NAMESPACE}, TLS and API-key variables),
 * so what works for Temporal's own CLI works here; explicit {@link Overrides} win.
 */
public final class TemporalConnection implements AutoCloseable {
  public static final String DEFAULT_ADDRESS = "127.0.0.1:7233";
  public static final String DEFAULT_NAMESPACE = "default";

  /**
   * Generous: on a loaded machine a cold JVM and a busy server answered the first call in 5-20 s.
   */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);

  /** How long a client command tries again when nothing listens yet (a server starting). */
  static final Duration CLIENT_RETRY_FOR = Duration.ofSeconds(3);

  /**
   * What the command line says, each null when not given.
   *
   * @param address {@code HOST:PORT}
   * @param tlsCert client certificate (PEM) for mutual TLS; needs {@code tlsKey}
   * @param tlsKey the client certificate's private key (PEM, PKCS#8)
   * @param tlsCa the CA certificate that signed the server's certificate
   * @param connectTimeout how long the first call may take; else {@code TEMPORAL_CONNECT_TIMEOUT}
   */
  public record Overrides(
      String address,
      String namespace,
      Path tlsCert,
      Path tlsKey,
      Path tlsCa,
      Duration connectTimeout) {
    public Overrides(String address, String namespace, Path tlsCert, Path tlsKey, Path tlsCa) {
      this(address, namespace, tlsCert, tlsKey, tlsCa, null);
    }

    public static Overrides none() {
      return new Overrides(null, null, null, null, null);
    }
  }

  /**
   * How long to keep trying the first connection, and who hears about each retry.
   *
   * @param retryFor zero tries once (after short retries while nothing listens)
   */
  public record Patience(Duration retryFor, Consumer<String> onRetry) {
    /** A client command: a few quick retries, silent. */
    public static Patience client() {
      return new Patience(CLIENT_RETRY_FOR, line -> {});
    }
  }

  private final WorkflowServiceStubs service;
  private final WorkflowClient client;
  private final String address;
  private final String namespace;

  private TemporalConnection(
      WorkflowServiceStubs service, String namespace, String address, Client settings) {
    this.service = service;
    this.address = address;
    this.namespace = namespace;
    WorkflowClientOptions.Builder options =
        WorkflowClientOptions.newBuilder()
            .setNamespace(namespace)
            .setDataConverter(settings.converter());
    if (settings.identity() != null) {
      options.setIdentity(settings.identity());
    }
    this.client = WorkflowClient.newInstance(service, options.build());
  }

  /**
   * How the client encodes payloads ({@link PayloadConverters#forConfig}) and whom it names on each
   * request it makes.
   *
   * @param identity recorded on every start, signal, update and cancellation; null: Temporal's
   *     default (process id and host), as a worker's pollers show it
   */
  public record Client(DataConverter converter, String identity) {
    public static Client plain() {
      return new Client(DefaultDataConverter.STANDARD_INSTANCE, null);
    }
  }

  /**
   * Connects as Temporal's environment configuration ({@code env}: the process environment, so
   * tests can pass their own) and the overrides say.
   *
   * @throws TemporalSettingsException when the settings are unusable (no such profile, a TLS file
   *     missing)
   * @throws TemporalUnreachableException when nothing answers at the resulting address
   */
  public static TemporalConnection connect(Overrides overrides, Map<String, String> env) {
    return connect(overrides, env, Patience.client());
  }

  /** Connects as {@link #connect(Overrides, Map)} does, retrying as {@code patience} says. */
  public static TemporalConnection connect(
      Overrides overrides, Map<String, String> env, Patience patience) {
    return connect(overrides, env, patience, Client.plain());
  }

  /** As {@link #connect(Overrides, Map, Patience)}, the client as {@code client} says. */
  public static TemporalConnection connect(
      Overrides overrides, Map<String, String> env, Patience patience, Client client) {
    ClientConfigProfile profile = resolve(overrides, env);
    String address = profile.getAddress();
    String namespace = profile.getNamespace();
    WorkflowServiceStubsOptions options = profile.toWorkflowServiceStubsOptions();
    Duration timeout = connectTimeout(overrides);
    return open(options, address, namespace, timeout, patience, client);
  }

  /**
   * As {@link #connect(Overrides, Map, Patience)}, the SDK reporting its metrics to {@code metrics}
   * (a worker's {@code --metrics-port}).
   */
  public static TemporalConnection connect(
      Overrides overrides,
      Map<String, String> env,
      Patience patience,
      Client client,
      Scope metrics) {
    ClientConfigProfile profile = resolve(overrides, env);
    WorkflowServiceStubsOptions options =
        WorkflowServiceStubsOptions.newBuilder(profile.toWorkflowServiceStubsOptions())
            .setMetricsScope(metrics)
            .build();
    return open(
        options,
        profile.getAddress(),
        profile.getNamespace(),
        connectTimeout(overrides),
        patience,
        client);
  }

  /** Connects over plain text, as to the embedded service. */
  public static TemporalConnection connectPlain(String address, String namespace) {
    return connectPlain(address, namespace, Client.plain());
  }

  /** As {@link #connectPlain(String, String)}, the client as {@code client} says. */
  public static TemporalConnection connectPlain(String address, String namespace, Client client) {
    return open(
        WorkflowServiceStubsOptions.newBuilder().setTarget(address).build(),
        address,
        namespace,
        DEFAULT_CONNECT_TIMEOUT,
        Patience.client(),
        client);
  }

  /** The override (the CLI reads {@code TEMPORAL_CONNECT_TIMEOUT} into it), else 30 s. */
  static Duration connectTimeout(Overrides overrides) {
    Duration timeout = overrides.connectTimeout();
    if (timeout == null) {
      return DEFAULT_CONNECT_TIMEOUT;
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new TemporalSettingsException(
          "the connect timeout must be positive, was " + timeout + ": give one like 30s or 2m.",
          null);
    }
    return timeout;
  }

  /** The profile after the environment and the overrides; address and namespace always set. */
  static ClientConfigProfile resolve(Overrides overrides, Map<String, String> env) {
    ClientConfigProfile loaded;
    try {
      loaded =
          ClientConfigProfile.load(
              LoadClientConfigProfileOptions.newBuilder().setEnvOverrides(env).build());
    } catch (IOException | RuntimeException e) {
      throw new TemporalSettingsException(
          "Temporal's client configuration could not be read: "
              + e.getMessage()
              + ". Fix the temporal.toml profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE) or unset"
              + " them and pass --temporal HOST:PORT.",
          e);
    }
    ClientConfigProfile.Builder profile = loaded.toBuilder();
    if (overrides.address() != null) {
      profile.setAddress(checkAddress(overrides.address()));
    } else if (blank(loaded.getAddress())) {
      profile.setAddress(DEFAULT_ADDRESS);
    } else {
      checkAddress(loaded.getAddress());
    }
    if (overrides.namespace() != null) {
      if (overrides.namespace().isBlank()) {
        throw new TemporalSettingsException(
            "--namespace is empty: give a namespace name, or leave the option out for \""
                + DEFAULT_NAMESPACE
                + "\".",
            null);
      }
      profile.setNamespace(overrides.namespace());
    } else if (blank(loaded.getNamespace())) {
      profile.setNamespace(DEFAULT_NAMESPACE);
    }
    if (overrides.tlsCert() != null || overrides.tlsKey() != null || overrides.tlsCa() != null) {
      profile.setTls(tls(loaded.getTls(), overrides));
    }
    return profile.build();
  }

  private static ClientConfigTLS tls(ClientConfigTLS loaded, Overrides overrides) {
    if ((overrides.tlsCert() == null) != (overrides.tlsKey() == null)) {
      throw new TemporalSettingsException(
          "Mutual TLS needs both --tls-cert and --tls-key; only "
              + (overrides.tlsCert() == null ? "--tls-key" : "--tls-cert")
              + " was given. Pass both, or neither for server-only TLS with --tls-ca.",
          null);
    }
    ClientConfigTLS.Builder tls =
        loaded == null ? ClientConfigTLS.newBuilder() : ClientConfigTLS.newBuilder(loaded);
    tls.setDisabled(false);
    if (overrides.tlsCert() != null) {
      tls.setClientCertPath(readable("--tls-cert", overrides.tlsCert()));
      tls.setClientKeyPath(readable("--tls-key", overrides.tlsKey()));
    }
    if (overrides.tlsCa() != null) {
      tls.setServerCACertPath(readable("--tls-ca", overrides.tlsCa()));
    }
    return tls.build();
  }

  private static String readable(String option, Path file) {
    if (!Files.isReadable(file)) {
      throw new TemporalSettingsException(
          option + " " + file + " is not a readable file: give the path of a PEM file.", null);
    }
    return file.toString();
  }

  private static String checkAddress(String address) {
    int colon = address.lastIndexOf(':');
    boolean valid = colon > 0 && colon < address.length() - 1;
    if (valid) {
      try {
        int port = Integer.parseInt(address.substring(colon + 1));
        valid = port > 0 && port < 65536;
      } catch (NumberFormatException e) {
        valid = false;
      }
    }
    if (!valid) {
      throw new TemporalSettingsException(
          "Temporal address \""
              + address
              + "\" is not HOST:PORT: give one like 127.0.0.1:7233 (--temporal or"
              + " TEMPORAL_ADDRESS).",
          null);
    }
    return address;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static TemporalConnection open(
      WorkflowServiceStubsOptions options,
      String address,
      String namespace,
      Duration timeout,
      Patience patience,
      Client client) {
    WorkflowServiceStubs service =
        new FirstConnection(
                options, address, namespace, timeout, patience.retryFor(), patience.onRetry())
            .open();
    return new TemporalConnection(service, namespace, address, client);
  }

  public WorkflowServiceStubs service() {
    return service;
  }

  public WorkflowClient client() {
    return client;
  }

  /** {@code HOST:PORT}, for messages. */
  public String address() {
    return address;
  }

  public String namespace() {
    return namespace;
  }

  @Override
  public void close() {
    service.shutdown();
    service.awaitTermination(5, TimeUnit.SECONDS);
  }
}
