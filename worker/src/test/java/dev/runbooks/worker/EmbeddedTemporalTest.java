package dev.runbooks.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EmbeddedTemporalTest {
  @Test
  void acceptsRunsCarryingTheRunbookSearchAttributes() {
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(0);
        TemporalConnection connection = temporal.connect()) {
      WorkflowClient client = connection.client();
      WorkflowStub stub =
          client.newUntypedWorkflowStub(
              "NoSuchWorkflowType",
              WorkflowOptions.newBuilder()
                  .setWorkflowId("sa-probe")
                  .setTaskQueue("nobody-polls")
                  .setTypedSearchAttributes(
                      SearchAttributes.newBuilder()
                          .set(RunbookSearchAttributes.KIND, "check")
                          .set(RunbookSearchAttributes.TARGET, "orders")
                          .set(RunbookSearchAttributes.STEP, "connectivity")
                          .set(RunbookSearchAttributes.INITIATOR, "alice")
                          .build())
                  .build());
      stub.start();

      SearchAttributes shown = stub.describe().getTypedSearchAttributes();
      assertEquals("check", shown.get(RunbookSearchAttributes.KIND));
      assertEquals("orders", shown.get(RunbookSearchAttributes.TARGET));
      assertEquals("connectivity", shown.get(RunbookSearchAttributes.STEP));
      assertEquals("alice", shown.get(RunbookSearchAttributes.INITIATOR));
    }
  }

  @Test
  void refusesSearchAttributesNobodyRegistered() {
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(0);
        TemporalConnection connection = temporal.connect()) {
      WorkflowStub stub =
          connection
              .client()
              .newUntypedWorkflowStub(
                  "NoSuchWorkflowType",
                  WorkflowOptions.newBuilder()
                      .setWorkflowId("unregistered-probe")
                      .setTaskQueue("nobody-polls")
                      .setTypedSearchAttributes(
                          SearchAttributes.newBuilder()
                              .set(SearchAttributeKey.forKeyword("NotRegistered"), "x")
                              .build())
                      .build());
      assertThrows(RuntimeException.class, () -> stub.start());
    }
  }

  @Test
  void listensOnLoopbackOnAFreePortWhenAskedForPortZero() {
    try (EmbeddedTemporal first = EmbeddedTemporal.start(0);
        EmbeddedTemporal second = EmbeddedTemporal.start(0)) {
      assertTrue(first.port() > 0);
      assertNotEquals(first.port(), second.port());
      assertEquals("127.0.0.1:" + first.port(), first.address());
    }
  }

  @Test
  void namesThePortAndTheFixWhenThePortIsTaken() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      TemporalSettingsException e =
          assertThrows(
              TemporalSettingsException.class,
              () -> EmbeddedTemporal.start(taken.getLocalPort()).close());
      assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getLocalPort()), e.getMessage());
      assertTrue(e.getMessage().contains("--port"), e.getMessage());
    }
  }

  @Test
  void stopsServingWhenClosed() {
    int port;
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(0)) {
      port = temporal.port();
    }
    TemporalUnreachableException e =
        assertThrows(
            TemporalUnreachableException.class,
            () -> TemporalConnection.connectPlain("127.0.0.1:" + port, "default").close());
    assertEquals("127.0.0.1:" + port, e.address());
    assertTrue(Optional.ofNullable(e.getMessage()).orElse("").contains("127.0.0.1:" + port));
  }
}
