package dev.runbooks.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.contract.GatedActivities;
import dev.runbooks.activities.contract.GatedWorkflow;
import dev.runbooks.activities.contract.GatedWorkflowImpl;
import dev.runbooks.activities.lock.TargetLockActivitiesImpl;
import dev.runbooks.worker.EmbeddedTemporal;
import dev.runbooks.worker.RunbookWorker;
import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.workflows.backup.BackupCatalog;
import dev.runbooks.workflows.shared.Approval;
import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.RunbookRequest;
import dev.runbooks.workflows.shared.RunbookWorkflow;
import dev.runbooks.workflows.shared.TargetLockWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The runs' metrics of a worker serving the contract's gated runbook (lock, prepare, approval,
 * apply) on the in-memory Temporal, scraped over HTTP: runs counted by outcome, the step histogram,
 * the run waiting at its gate, and the target lock it holds.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RunMetricsTest {
  static final String QUEUE = "run-metrics-test";

  /** Generous: the machine is shared, and the SDK reports counters once a second. */
  static final Duration PATIENCE = Duration.ofSeconds(60);

  EmbeddedTemporal temporal;
  Node node;
  RunbooksMetrics metrics;
  TemporalConnection connection;
  MetricsEndpoint endpoint;

  /** A worker with its metrics endpoint, as {@code runbook worker --metrics-port} runs one. */
  final class Node implements AutoCloseable {
    final RunbooksMetrics metrics;
    final TemporalConnection connection;
    final RunbookWorker worker;
    final MetricsEndpoint endpoint;

    Node() {
      this(Duration.ofSeconds(20));
    }

    /** With {@code budget}: how long a scrape waits for the open runs. */
    Node(Duration budget) {
      metrics =
          new RunbooksMetrics(
              new RecoverabilityCache(
                  () -> Set.of("orders", "billing", "stock"),
                  target ->
                      TargetRecoverability.of(
                          new BackupCatalog(target, "file:///nowhere", List.of(), null)),
                  Duration.ofSeconds(30),
                  Duration.ofSeconds(10),
                  System::nanoTime));
      connection =
          TemporalConnection.connect(
              TemporalConnection.Overrides.none(),
              Map.of("TEMPORAL_ADDRESS", temporal.address()),
              TemporalConnection.Patience.client(),
              TemporalConnection.Client.plain(),
              metrics.temporalScope());
      WorkflowClient client = connection.client();
      metrics.watchRuns(client, Duration.ZERO, budget);
      worker =
          RunbookWorker.start(
              client,
              QUEUE,
              List.of(GatedWorkflowImpl.class, TargetLockWorkflowImpl.class),
              List.of(new Changes(), new TargetLockActivitiesImpl(client, QUEUE)),
              metrics.stepTimer());
      endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0), metrics);
    }

    @Override
    public void close() {
      for (AutoCloseable c : new AutoCloseable[] {endpoint, worker, connection, metrics}) {
        try {
          c.close();
        } catch (Exception e) {
          // the next one still closes
        }
      }
    }
  }

  @BeforeEach
  void start() {
    temporal = EmbeddedTemporal.start(0);
    node = new Node();
    metrics = node.metrics;
    connection = node.connection;
    endpoint = node.endpoint;
  }

  @AfterEach
  void stop() {
    node.close();
    temporal.close();
  }

  @Test
  void aRunIsCountedOnceHoweverOftenItIsReplayed() throws Exception {
    // No workflow cache: every workflow task of the run (start, lock, prepare, approval, apply,
    // release) and every query replays its history from the start on this worker.
    node.worker.close();
    WorkerFactory replaying =
        WorkerFactory.newInstance(
            connection.client(), WorkerFactoryOptions.newBuilder().setWorkflowCacheSize(0).build());
    try {
      Worker w = replaying.newWorker(QUEUE);
      w.registerWorkflowImplementationTypes(GatedWorkflowImpl.class, TargetLockWorkflowImpl.class);
      w.registerActivitiesImplementations(
          new Changes(), new TargetLockActivitiesImpl(connection.client(), QUEUE));
      replaying.start();
      WorkflowStub run = startAtGate("orders", "metrics-orders-replayed");
      approve(run);
      run.getResult(60, TimeUnit.SECONDS, String.class);
      Map<String, String> counted =
          waitFor(
              "runbooks_runs_total",
              s -> "1.0".equals(value(s, "runbooks_runs_total", "migrate", "orders", "succeeded")));
      // Each query on the closed run replays it to its end on this worker.
      for (int i = 0; i < 3; i++) {
        run.query(RunbookWorkflow.PROGRESS, RunbookProgress.class);
      }
      Thread.sleep(2000); // a second report of the SDK's counters
      counted = Scrapes.samples(scrape(), "runbooks_runs_total");
      assertEquals(
          "1.0",
          value(counted, "runbooks_runs_total", "migrate", "orders", "started"),
          counted.toString());
      assertEquals(
          "1.0",
          value(counted, "runbooks_runs_total", "migrate", "orders", "succeeded"),
          counted.toString());
    } finally {
      replaying.shutdownNow();
      replaying.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aTemporalThatDoesNotAnswerGivesTheRunsErrorWithinTheScrapeBudget() throws Exception {
    Duration budget = Duration.ofSeconds(2);
    try (Node quick = new Node(budget)) {
      startAtGate("orders", "metrics-orders-unanswered");
      Map<String, String> held =
          waitFor(
              quick.endpoint,
              "runbooks_",
              s -> "1.0".equals(s.get("runbooks_target_lock_held{target=\"orders\"}")));
      assertEquals("0.0", held.get("runbooks_runs_error"), held.toString());
      temporal.close();

      long start = System.nanoTime();
      String text = Scrapes.scrape(quick.endpoint.port(), Duration.ofSeconds(60));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      Map<String, String> samples = Scrapes.samples(text, "runbooks_");
      assertTrue(took.compareTo(budget.plusSeconds(5)) < 0, "the scrape took " + took);
      assertEquals("1.0", samples.get("runbooks_runs_error"), samples.toString());
      // The last figures stay: an unanswered listing is no reason to say the lock is free.
      assertEquals(
          "1.0", samples.get("runbooks_target_lock_held{target=\"orders\"}"), samples.toString());
    }
  }

  @Test
  void countsRunsByOutcomeAndTimesTheirSteps() throws Exception {
    WorkflowStub succeeds = startAtGate("billing", "metrics-billing-1");
    approve(succeeds);
    succeeds.getResult(60, TimeUnit.SECONDS, String.class);
    WorkflowStub aborted = startAtGate("billing", "metrics-billing-2");
    aborted.cancel("not today");
    try {
      aborted.getResult(60, TimeUnit.SECONDS, String.class);
    } catch (WorkflowFailedException expected) {
      // cancelled: the run is aborted with compensation
    }

    Map<String, String> runs =
        waitFor(
            "runbooks_runs_total",
            s ->
                "1.0".equals(value(s, "runbooks_runs_total", "migrate", "billing", "aborted"))
                    && "1.0"
                        .equals(
                            value(s, "runbooks_runs_total", "migrate", "billing", "succeeded")));
    assertEquals(
        "2.0",
        value(runs, "runbooks_runs_total", "migrate", "billing", "started"),
        runs.toString());
    assertEquals(
        null, value(runs, "runbooks_runs_total", "migrate", "billing", "failed"), runs.toString());

    // The test's runbook is no kind the worker knows: its steps go by its workflow type.
    Map<String, String> steps = Scrapes.samples(scrape(), "runbooks_step_duration_seconds_count");
    assertEquals(
        "2",
        value(
            steps,
            "runbooks_step_duration_seconds_count",
            "GatedWorkflow",
            "PrepareChange",
            "succeeded"),
        steps.toString());
    assertEquals(
        "1",
        value(
            steps,
            "runbooks_step_duration_seconds_count",
            "GatedWorkflow",
            "ApplyChange",
            "succeeded"),
        steps.toString());
  }

  @Test
  void reportsTheRunWaitingAtItsGateAndTheLockItHolds() throws Exception {
    Map<String, String> before = Scrapes.samples(scrape(), "runbooks_target_lock_held");
    assertEquals(
        "0.0", before.get("runbooks_target_lock_held{target=\"orders\"}"), before.toString());

    WorkflowStub run = startAtGate("orders", "metrics-orders-1");
    Map<String, String> waiting =
        waitFor(
            "runbooks_approval_waiting_seconds",
            s -> {
              String seconds = s.get("runbooks_approval_waiting_seconds{target=\"orders\"}");
              return seconds != null && Double.parseDouble(seconds) > 0;
            });
    Map<String, String> all = Scrapes.samples(scrape(), "runbooks_");
    assertEquals(
        "1.0", all.get("runbooks_approval_waiting_runs{target=\"orders\"}"), all.toString());
    assertEquals("1.0", all.get("runbooks_target_lock_held{target=\"orders\"}"), all.toString());
    assertEquals(
        "0.0", all.get("runbooks_approval_waiting_runs{target=\"stock\"}"), all.toString());
    assertEquals("0.0", all.get("runbooks_target_lock_held{target=\"stock\"}"), all.toString());
    assertTrue(
        Double.parseDouble(waiting.get("runbooks_approval_waiting_seconds{target=\"orders\"}"))
            < 600,
        waiting.toString());

    approve(run);
    run.getResult(60, TimeUnit.SECONDS, String.class);
    Map<String, String> after =
        waitFor(
            "runbooks_",
            s ->
                "0.0".equals(s.get("runbooks_target_lock_held{target=\"orders\"}"))
                    && "0.0".equals(s.get("runbooks_approval_waiting_runs{target=\"orders\"}")));
    assertEquals(
        "0.0", after.get("runbooks_approval_waiting_seconds{target=\"orders\"}"), after.toString());
  }

  private WorkflowStub startAtGate(String target, String workflowId) throws Exception {
    WorkflowClient client = connection.client();
    GatedWorkflow run =
        client.newWorkflowStub(
            GatedWorkflow.class,
            WorkflowOptions.newBuilder().setWorkflowId(workflowId).setTaskQueue(QUEUE).build());
    WorkflowClient.start(
        run::run,
        new GatedWorkflow.Request(
            new RunbookRequest(target, "alice", false, Duration.ofMinutes(10))));
    WorkflowStub stub = WorkflowStub.fromTyped(run);
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      RunbookProgress progress = stub.query(RunbookWorkflow.PROGRESS, RunbookProgress.class);
      if ("approval".equals(progress.awaitingApproval())) {
        return stub;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(workflowId + " never reached its approval gate");
  }

  private static void approve(WorkflowStub run) {
    run.update(RunbookWorkflow.APPROVE, Void.class, new Approval("bob", "go"));
  }

  private String scrape() throws Exception {
    return Scrapes.scrape(endpoint.port(), Duration.ofSeconds(30));
  }

  /** Scrapes until the samples under {@code prefix} satisfy {@code done}. */
  private Map<String, String> waitFor(String prefix, Predicate<Map<String, String>> done)
      throws Exception {
    return waitFor(endpoint, prefix, done);
  }

  private static Map<String, String> waitFor(
      MetricsEndpoint endpoint, String prefix, Predicate<Map<String, String>> done)
      throws Exception {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    Map<String, String> samples;
    do {
      samples = Scrapes.samples(Scrapes.scrape(endpoint.port(), Duration.ofSeconds(30)), prefix);
      if (done.test(samples)) {
        return samples;
      }
      Thread.sleep(250);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("after " + PATIENCE + " the scrape still shows " + samples);
  }

  /**
   * The value of the series named {@code name} whose kind, target or step, and outcome labels are
   * those given, whatever other labels it carries (the SDK adds namespace and task queue).
   */
  private static String value(
      Map<String, String> samples, String name, String kind, String subject, String outcome) {
    String found = null;
    for (Map.Entry<String, String> s : samples.entrySet()) {
      String series = s.getKey();
      if (series.startsWith(name + "{")
          && series.contains("kind=\"" + kind + "\"")
          && (series.contains("target=\"" + subject + "\"")
              || series.contains("step=\"" + subject + "\""))
          && series.contains("outcome=\"" + outcome + "\"")) {
        assertNotNull(s.getValue());
        assertEquals(null, found, "two series match in " + samples);
        found = s.getValue();
      }
    }
    return found;
  }

  /** The gated runbook's work: nothing to do but succeed. */
  static final class Changes implements GatedActivities {
    @Override
    public void prepareChange(String idempotencyKey) {}

    @Override
    public void undoPrepareChange(String idempotencyKey) {}

    @Override
    public void applyChange(String idempotencyKey) {}
  }
}
