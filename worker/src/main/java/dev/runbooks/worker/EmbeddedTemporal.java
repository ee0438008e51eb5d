package dev.runbooks.worker;

import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.common.SearchAttributeKey;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Temporal's in-memory service (temporal-test-server) serving the real gRPC API on a loopback port,
 * for {@code runbook dev}, {@code demo} and {@code --embedded}. Everything lives in memory and ends
 * with {@link #close()}.
 *
 * <p>This builds the server as {@code TestServer.createPortBoundServer} does, with two differences:
 * it binds to 127.0.0.1 only (the worker behind it holds database admin credentials, so nobody on
 * the network may start workflows on it), and port 0 picks a free port without a race. Time
 * skipping stays locked: a port-bound server that skips time ends a run that waits on an approval
 * at its run timeout (FACTS.md).
 */
public final class EmbeddedTemporal implements AutoCloseable {
  public static final int DEFAULT_PORT = 7233;
  public static final String NAMESPACE = "default";

  private static final Logger log = LoggerFactory.getLogger(EmbeddedTemporal.class);

  private final TestServicesStarter services;
  private final Server server;

  private EmbeddedTemporal(TestServicesStarter services, Server server) {
    this.services = services;
    this.server = server;
  }

  /**
   * Starts the service on 127.0.0.1:{@code port} ({@code 0}: a free port) with the runbooks' search
   * attributes registered.
   *
   * @throws TemporalSettingsException when the port is taken
   */
  public static EmbeddedTemporal start(int port) {
    return start(port, null);
  }

  /**
   * As {@link #start(int)}, with {@code pollers} (null: none) shown every poll of a task queue.
   *
   * @throws TemporalSettingsException when the port is taken
   */
  public static EmbeddedTemporal start(int port, Pollers pollers) {
    TestServicesStarter services = new TestServicesStarter(true, 0);
    Server server;
    try {
      NettyServerBuilder builder =
          NettyServerBuilder.forAddress(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      if (pollers != null) {
        builder.intercept(pollers);
      }
      GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
      server = builder.build().start();
    } catch (IOException e) {
      services.close();
      throw new TemporalSettingsException(
          "the embedded Temporal service cannot listen on 127.0.0.1:"
              + port
              + " ("
              + RootCause.message(e)
              + "): stop what uses the port (another runbook dev or a Temporal server), or pick"
              + " another with --port.",
          e);
    }
    EmbeddedTemporal temporal = new EmbeddedTemporal(services, server);
    try {
      temporal.registerSearchAttributes();
    } catch (RuntimeException e) {
      temporal.close();
      throw e;
    }
    log.info("Embedded Temporal service listening on {}", temporal.address());
    return temporal;
  }

  /** Registers every runbook search attribute so workflows can upsert them. */
  private void registerSearchAttributes() {
    AddSearchAttributesRequest.Builder request =
        AddSearchAttributesRequest.newBuilder().setNamespace(NAMESPACE);
    for (SearchAttributeKey<String> key : RunbookSearchAttributes.ALL) {
      request.putSearchAttributes(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setTarget(address())
                .validateAndBuildWithDefaults());
    try {
      operator.blockingStub().addSearchAttributes(request.build());
    } finally {
      operator.shutdownNow();
      operator.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  public int port() {
    return server.getPort();
  }

  /** {@code 127.0.0.1:PORT}. */
  public String address() {
    return InetAddress.getLoopbackAddress().getHostAddress() + ":" + port();
  }

  /** A new plain-text connection to this service; the caller closes it. */
  public TemporalConnection connect() {
    return TemporalConnection.connectPlain(address(), NAMESPACE);
  }

  /** As {@link #connect()}, the client as {@code client} says (its payload converter). */
  public TemporalConnection connect(TemporalConnection.Client client) {
    return TemporalConnection.connectPlain(address(), NAMESPACE, client);
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    services.close();
  }
}
