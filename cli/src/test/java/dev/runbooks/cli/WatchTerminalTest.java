package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.worker.EmbeddedTemporal;
import dev.runbooks.worker.RunbookWorker;
import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.workflows.shared.Approval;
import dev.runbooks.workflows.shared.RunbookRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code runbook watch} on an 80x24 terminal (a VT100 model with a scrollback) following a run
 * whose details are 1,000 characters long and whose step list is taller than the screen: the screen
 * and its scrollback never hold more than one frame, while the run waits and when it ends.
 */
class WatchTerminalTest {
  private static final String QUEUE = "watch-terminal";
  private static EmbeddedTemporal temporal;
  private static TemporalConnection connection;
  private static RunbookWorker worker;

  @BeforeAll
  static void start() {
    temporal = EmbeddedTemporal.start(0);
    connection = temporal.connect();
    worker =
        RunbookWorker.start(
            connection.client(), QUEUE, List.of(WideDetailsWorkflow.Impl.class), List.of());
  }

  @AfterAll
  static void stop() {
    worker.close();
    connection.close();
    temporal.close();
  }

  @Test
  void theScreenNeverHoldsMoreThanOneFrame() throws Exception {
    String id = "migrate-wide-db-" + System.nanoTime();
    WideDetailsWorkflow run =
        connection
            .client()
            .newWorkflowStub(
                WideDetailsWorkflow.class,
                WorkflowOptions.newBuilder().setTaskQueue(QUEUE).setWorkflowId(id).build());
    WorkflowClient.start(
        run::run, new RunbookRequest("wide-db", "alice", false, Duration.ofMinutes(10)));

    Vt100 terminal = new Vt100(80, 24);
    AtomicInteger frames = new AtomicInteger();
    String title = "migrate wide-db  " + id + "  ";
    PrintWriter screen =
        new PrintWriter(terminal) {
          @Override
          public void flush() {
            super.flush();
            List<String> all = terminal.all();
            long titles = all.stream().filter(l -> l.startsWith(title)).count();
            assertTrue(titles <= 1, "the title is there " + titles + " times:\n" + dump(all));
            for (String step : List.of("  [DONE]        check-07", "  [RUNNING]     gate")) {
              long copies = all.stream().filter(l -> l.startsWith(step)).count();
              assertTrue(copies <= 1, step + " is there " + copies + " times:\n" + dump(all));
            }
            if (all.stream().anyMatch(l -> l.startsWith(title + "RUNNING"))) {
              List<String> scrolled = terminal.scrollback();
              assertEquals(
                  0,
                  scrolled.size(),
                  "a live frame never scrolls, but these rows did: "
                      + dump(scrolled.subList(0, Math.min(4, scrolled.size()))));
              frames.incrementAndGet();
            }
          }
        };
    Map<String, String> env =
        Map.of(
            "TEMPORAL_ADDRESS", temporal.address(),
            "TEMPORAL_CONFIG_FILE", "/nonexistent/temporal.toml",
            "RUNBOOK_USER", "bob",
            "COLUMNS", "80",
            "LINES", "24",
            "NO_COLOR", "1");
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> watch =
        CompletableFuture.supplyAsync(
            () -> new Main(screen, new PrintWriter(err), env, true).run("watch", id));

    Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
    while (!gateShown(terminal) || frames.get() < 5) {
      assertTrue(Instant.now().isBefore(deadline), "no frame with the gate:\n" + terminal.all());
      if (watch.isDone()) {
        throw new AssertionError("watch ended early: exit " + joined(watch) + " " + err);
      }
      Thread.sleep(100);
    }
    List<String> live = terminal.screen();
    assertTrue(live.stream().anyMatch(l -> l.endsWith("\u2026") || l.endsWith("...")), dump(live));
    assertTrue(live.stream().allMatch(l -> l.length() < 80), dump(live));
    assertTrue(
        live.stream().anyMatch(l -> l.contains("more lines")), "the tall frame says it is cut");

    run.approve(new Approval("bob", "go"));
    watch.get(90, TimeUnit.SECONDS);
    assertEquals(0, joined(watch), err.toString());
    // Rows wrapped by the terminal, joined again; a space at a row's end is not kept.
    String whole = String.join("", terminal.all()).replace(" ", "");
    assertTrue(
        whole.contains(WideDetailsWorkflow.wide("applied").replace(" ", "")),
        "the final report shows details whole");
    assertTrue(String.join("\n", terminal.all()).contains(id + ": SUCCEEDED (exit 0)"));
  }

  /** The exit code, or what ended the command (an assertion of the screen's). */
  private static Object joined(CompletableFuture<Integer> watch) throws Exception {
    try {
      return watch.get();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof AssertionError failure) {
        throw failure;
      }
      throw e;
    }
  }

  private static boolean gateShown(Vt100 terminal) {
    return terminal.screen().stream().anyMatch(l -> l.startsWith("  [RUNNING]     gate"));
  }

  private static String dump(List<String> lines) {
    return String.join("\n", lines);
  }
}
