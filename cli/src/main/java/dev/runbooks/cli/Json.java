package dev.runbooks.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.runbooks.workflows.shared.RunbookProgress;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON output for scripts: ISO-8601 times, stable field names, indented. */
final class Json {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private Json() {}

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A run as {@code status --output json} prints it. */
  static Map<String, Object> run(RunState state) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("workflowId", state.workflowId());
    json.put("runId", state.runId());
    json.put("workflowType", state.workflowType());
    json.put("kind", state.kind());
    json.put("target", state.target());
    json.put("status", state.status());
    json.put("outcome", state.outcome());
    json.put("exitCode", state.exitCode());
    json.put("started", state.started());
    json.put("closed", state.closed());
    json.put("summary", state.summary());
    RunbookProgress progress = state.progress();
    if (progress != null) {
      json.put("initiator", progress.initiator());
      json.put("awaitingApproval", progress.awaitingApproval());
      json.put("outcomeDetail", progress.outcomeDetail());
      json.put("current", progress.current());
      json.put("steps", progress.steps());
    } else {
      json.put("progressProblem", state.progressProblem());
      json.put("steps", List.of());
    }
    json.put("activities", state.activities());
    return json;
  }
}
