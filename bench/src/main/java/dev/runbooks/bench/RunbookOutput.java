package dev.runbooks.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;

/**
 * What a {@code runbook ... --embedded --output json} run tells about its timing, from the JSON
 * result it prints on stdout: the run's steps with their start and end (the workflow's own clock,
 * to the millisecond), the backup's own {@code startedAt..finishedAt} and the drill's restore
 * duration. The run's steps must come from there: an embedded run's Temporal service is gone once
 * the command returns, so {@code runbook status} cannot be asked afterwards.
 */
final class RunbookOutput {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RunbookOutput() {}

  /** A backup run's result: its id, the dump activity's own duration and the stored size. */
  record Backup(String backupId, Duration dump, long plaintextBytes, long storedBytes) {}

  /** A drill's result: the backup it drilled and the restore activity's own duration. */
  record Drill(String backupId, Duration restore) {}

  static Backup backup(Child.Outcome outcome) {
    JsonNode backup = succeeded(outcome).path("backup");
    if (!backup.isObject()) {
      throw new BenchException(
          outcome.label() + " printed no backup in its JSON result:\n" + outcome.out());
    }
    Instant started = Instant.parse(backup.path("startedAt").asText());
    Instant finished = Instant.parse(backup.path("finishedAt").asText());
    return new Backup(
        backup.path("backupId").asText(),
        Duration.between(started, finished),
        backup.path("plaintextBytes").asLong(),
        backup.path("ciphertextBytes").asLong());
  }

  static Drill drill(Child.Outcome outcome) {
    JsonNode drill = succeeded(outcome).path("drill");
    if (!drill.isObject()) {
      throw new BenchException(
          outcome.label() + " printed no drill in its JSON result:\n" + outcome.out());
    }
    if (!drill.path("passed").asBoolean(false)) {
      throw new BenchException(
          outcome.label() + ": the drill did not pass: " + drill.path("differences"));
    }
    return new Drill(
        drill.path("backupId").asText(), Duration.parse(drill.path("restoreDuration").asText()));
  }

  /** How long the run's step {@code name} took, start to end; it must have ended DONE. */
  static Duration step(Child.Outcome outcome, String name) {
    return step(succeeded(outcome), name, outcome.label());
  }

  static Duration step(JsonNode result, String name, String label) {
    for (JsonNode step : result.path("steps")) {
      if (!name.equals(step.path("name").asText())) {
        continue;
      }
      if (!"DONE".equals(step.path("state").asText()) || !step.hasNonNull("end")) {
        throw new BenchException(
            label + ": expected its step " + name + " to be DONE, found " + step);
      }
      return Duration.between(
          Instant.parse(step.path("start").asText()), Instant.parse(step.path("end").asText()));
    }
    throw new BenchException(
        label
            + ": expected a step named "
            + name
            + " in the JSON result's steps, found "
            + result.path("steps"));
  }

  static JsonNode parse(String json, String label) {
    try {
      JsonNode root = JSON.readTree(json);
      if (root == null || !root.isObject()) {
        throw new BenchException(label + " printed no JSON object on stdout:\n" + json);
      }
      return root;
    } catch (JsonProcessingException e) {
      throw new BenchException(label + " printed no JSON result on stdout:\n" + json, e);
    }
  }

  /** The JSON result of a run that must have SUCCEEDED. */
  static JsonNode succeeded(Child.Outcome outcome) {
    JsonNode root = parse(outcome.out(), outcome.label());
    if (!"SUCCEEDED".equals(root.path("outcome").asText())) {
      throw new BenchException(
          outcome.label()
              + " did not succeed; its result:\n"
              + outcome.out()
              + "\nThe end of its stderr:\n"
              + Child.tail(outcome.err(), 30));
    }
    return root;
  }
}
