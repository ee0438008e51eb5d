package dev.runbooks.cli;

import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import dev.runbooks.workflows.shared.TargetLockWorkflow;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.Memo;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.common.converter.DataConverter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "Lists runbook runs, newest first.",
    footerHeading = "%nExample:%n",
    footer = "  runbook list --running")
final class ListCommand implements Callable<Integer> {
  /**
   * {@code <kind>-<target>-<UTC second>}, with the {@code -2}, {@code -3}... a second run of the
   * same kind and target in the same second gets from {@link RunbookStarter}.
   */
  private static final Pattern BUSINESS_KEY =
      Pattern.compile("^(.+)-(\\d{8}T\\d{6})(?:-\\d{1,2})?$");

  @Spec CommandSpec spec;
  @ParentCommand RunbookCommand root;
  @Mixin ConnectionOptions connection;

  @Option(names = "--running", description = "Only runs that have not ended.")
  boolean running;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "50",
      description = "At most this many runs (default: ${DEFAULT-VALUE}).")
  int limit;

  /**
   * One line of the listing.
   *
   * @param status Temporal's: RUNNING, COMPLETED, FAILED, CANCELED, TERMINATED, TIMED_OUT
   * @param outcome the runbook's: RUNNING, SUCCEEDED, FAILED, ROLLED_BACK, ABORTED (see {@link
   *     RunOutcome})
   */
  record Row(
      String workflowId,
      String runId,
      String kind,
      String target,
      String status,
      String outcome,
      Instant started,
      Instant closed) {
    Row ended(RunOutcome end) {
      return new Row(
          workflowId,
          runId,
          kind,
          target,
          status,
          end.outcome(),
          started,
          closed != null ? closed : end.closed());
    }
  }

  @Override
  public Integer call() {
    if (limit < 1) {
      throw new UsageException("--limit must be at least 1, was " + limit + ".");
    }
    try (TemporalConnection temporal = connection.connect(root.env())) {
      List<Row> rows =
          list(
              temporal.service(),
              temporal.namespace(),
              temporal.client().getOptions().getDataConverter());
      PrintWriter out = spec.commandLine().getOut();
      if (connection.json()) {
        out.println(Json.write(rows));
      } else {
        print(rows, out);
      }
      return ExitCodes.DONE;
    }
  }

  /** The newest {@code limit} runs, with their outcomes, as {@code runbook list} shows them. */
  static List<Row> runs(TemporalConnection temporal, int limit) {
    ListCommand list = new ListCommand();
    list.limit = limit;
    return list.list(
        temporal.service(),
        temporal.namespace(),
        temporal.client().getOptions().getDataConverter());
  }

  private List<Row> list(WorkflowServiceStubs service, String namespace, DataConverter converter) {
    List<WorkflowExecutionInfo> infos;
    try {
      infos = visibilityQuery(service, namespace, query(true));
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        // The in-memory service has no visibility queries; it lists open and closed runs.
        infos = openAndClosed(service, namespace);
      } else if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
        // The cluster does not know the RunbookKind attribute: no runbook has set it yet.
        infos = visibilityQuery(service, namespace, query(false));
      } else {
        throw e;
      }
    }
    List<Row> rows = new ArrayList<>();
    for (WorkflowExecutionInfo info : infos) {
      String id = info.getExecution().getWorkflowId();
      if (id.startsWith(TargetLockWorkflow.workflowId(""))) {
        continue;
      }
      if (id.startsWith(RunbookSchedule.CRON_WORKFLOW_PREFIX)
          && info.getMemo().getFieldsCount() == 0) {
        info = info.toBuilder().setMemo(startMemo(service, namespace, info.getExecution())).build();
      }
      rows.add(row(new WorkflowExecutionMetadata(info, converter)));
    }
    rows.sort(Comparator.comparing(Row::started, Comparator.nullsLast(Comparator.reverseOrder())));
    List<Row> shown = new ArrayList<>();
    for (Row row : rows.size() > limit ? rows.subList(0, limit) : rows) {
      RunOutcome end =
          row.status().equals("RUNNING")
              ? null
              : RunOutcome.of(
                  service,
                  namespace,
                  converter,
                  WorkflowExecution.newBuilder()
                      .setWorkflowId(row.workflowId())
                      .setRunId(row.runId())
                      .build(),
                  row.kind());
      shown.add(end == null ? row : row.ended(end));
    }
    return shown;
  }

  /**
   * The memo a run was started with, from its start event: list results do not carry it on every
   * server (the in-memory one), and a cron workflow standing in for a schedule names its runbook
   * and target there.
   */
  private static Memo startMemo(
      WorkflowServiceStubs service, String namespace, WorkflowExecution execution) {
    return service
        .blockingStub()
        .getWorkflowExecutionHistory(
            GetWorkflowExecutionHistoryRequest.newBuilder()
                .setNamespace(namespace)
                .setExecution(execution)
                .setMaximumPageSize(1)
                .build())
        .getHistory()
        .getEvents(0)
        .getWorkflowExecutionStartedEventAttributes()
        .getMemo();
  }

  private String query(boolean runbooksOnly) {
    List<String> terms = new ArrayList<>();
    if (runbooksOnly) {
      terms.add(RunbookSearchAttributes.KIND.getName() + " IS NOT NULL");
    }
    if (running) {
      terms.add("ExecutionStatus = 'Running'");
    }
    return String.join(" AND ", terms);
  }

  private List<WorkflowExecutionInfo> visibilityQuery(
      WorkflowServiceStubs service, String namespace, String query) {
    return service
        .blockingStub()
        .listWorkflowExecutions(
            ListWorkflowExecutionsRequest.newBuilder()
                .setNamespace(namespace)
                .setQuery(query)
                .setPageSize(limit + 10)
                .build())
        .getExecutionsList();
  }

  private List<WorkflowExecutionInfo> openAndClosed(
      WorkflowServiceStubs service, String namespace) {
    List<WorkflowExecutionInfo> infos =
        new ArrayList<>(
            service
                .blockingStub()
                .listOpenWorkflowExecutions(
                    ListOpenWorkflowExecutionsRequest.newBuilder()
                        .setNamespace(namespace)
                        .setMaximumPageSize(limit + 10)
                        .build())
                .getExecutionsList());
    if (!running) {
      infos.addAll(
          service
              .blockingStub()
              .listClosedWorkflowExecutions(
                  ListClosedWorkflowExecutionsRequest.newBuilder()
                      .setNamespace(namespace)
                      .setMaximumPageSize(limit + 10)
                      .build())
              .getExecutionsList());
    }
    return infos;
  }

  /** Kind and target from the search attributes, else from a business-key workflow ID. */
  static Row row(WorkflowExecutionMetadata run) {
    String id = run.getExecution().getWorkflowId();
    String kind = run.getTypedSearchAttributes().get(RunbookSearchAttributes.KIND);
    String target = run.getTypedSearchAttributes().get(RunbookSearchAttributes.TARGET);
    if (kind == null || target == null) {
      // A cron workflow standing in for a schedule says what it runs in its memo.
      kind = kind != null ? kind : memo(run, RunbookSchedule.MEMO_RUNBOOK);
      target = target != null ? target : memo(run, RunbookSchedule.MEMO_TARGET);
    }
    if (kind == null || target == null) {
      Map.Entry<String, String> parsed = parseBusinessKey(id);
      kind = kind != null ? kind : parsed.getKey();
      target = target != null ? target : parsed.getValue();
    }
    String status = RunState.label(run.getStatus());
    return new Row(
        id,
        run.getExecution().getRunId(),
        kind,
        target,
        status,
        status.equals("RUNNING") ? "RUNNING" : status,
        run.getStartTime(),
        run.getCloseTime());
  }

  private static String memo(WorkflowExecutionMetadata run, String key) {
    try {
      Object value = run.getMemo(key, String.class);
      return value == null ? null : value.toString();
    } catch (RuntimeException e) {
      return null; // not a memo this CLI wrote
    }
  }

  static Map.Entry<String, String> parseBusinessKey(String workflowId) {
    Matcher key = BUSINESS_KEY.matcher(workflowId);
    if (key.matches()) {
      for (RunbookKind kind : RunbookKind.values()) {
        String prefix = kind.label() + "-";
        if (key.group(1).startsWith(prefix) && key.group(1).length() > prefix.length()) {
          return Map.entry(kind.label(), key.group(1).substring(prefix.length()));
        }
      }
    }
    return Map.entry("-", "-");
  }

  private static void print(List<Row> rows, PrintWriter out) {
    if (rows.isEmpty()) {
      out.println("No runs. Start one with: runbook check --target NAME");
      return;
    }
    Map<String, Integer> widths = new LinkedHashMap<>();
    widths.put("ID", 2);
    widths.put("KIND", 4);
    widths.put("TARGET", 6);
    widths.put("STATUS", 7);
    for (Row row : rows) {
      widths.merge("ID", row.workflowId().length(), Math::max);
      widths.merge("KIND", row.kind().length(), Math::max);
      widths.merge("TARGET", row.target().length(), Math::max);
      widths.merge("STATUS", row.outcome().length(), Math::max);
    }
    out.println(line(widths, "ID", "KIND", "TARGET", "OUTCOME", "STARTED"));
    for (Row row : rows) {
      out.println(
          line(
              widths,
              row.workflowId(),
              row.kind(),
              row.target(),
              row.outcome(),
              Text.time(row.started())));
    }
  }

  private static String line(
      Map<String, Integer> widths,
      String id,
      String kind,
      String target,
      String status,
      String started) {
    return Text.pad(id, widths.get("ID") + 2)
        + Text.pad(kind, widths.get("KIND") + 2)
        + Text.pad(target, widths.get("TARGET") + 2)
        + Text.pad(status, widths.get("STATUS") + 2)
        + started;
  }
}
