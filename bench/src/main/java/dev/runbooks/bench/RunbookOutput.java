package dev.runbooks.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a {@code runbook ... --embedded --output json} run tells about its timing: the JSON result
 * on stdout and the step lines it writes to stderr while it follows the run.
 *
 * <p>The JSON result of a finished run carries the backup's own start and end (the dump activity's
 * clock, to the nanosecond) and the drill's restore duration, but not the step list: the embedded
 * Temporal service is gone once the command returns, so {@code runbook status} cannot be asked
 * afterwards. The step durations come from the step lines instead ({@code [DONE] restore 12.3s
 * ...}): the workflow's own step start and end, printed to 0.1 s (1 s past a minute).
 */
final class RunbookOutput {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@code [DONE] restore 12.3s detail}. */
  private static final Pattern DONE_STEP =
      Pattern.compile(
          "^\\s*\\[DONE\\]\\s+(\\S+)\\s+(\\d+(?:\\.\\d+)?s|\\d+m\\d{2}s|\\d+h\\d{2}m)(?:\\s|$)",
          Pattern.MULTILINE);

  private static final Pattern SECONDS = Pattern.compile("(\\d+(?:\\.\\d+)?)s");
  private static final Pattern MINUTES = Pattern.compile("(\\d+)m(\\d{2})s");
  private static final Pattern HOURS = Pattern.compile("(\\d+)h(\\d{2})m");

  private RunbookOutput() {}

  /** A backup run's result: its id, the dump's own duration and its sizes. */
  record Backup(String backupId, Duration dump, long plaintextBytes, long storedBytes) {}

  /** A drill's result: whether it passed and the restore activity's own duration. */
  record Drill(String backupId, boolean passed, Duration restore) {}

  static Backup backup(Child.Outcome outcome) {
    JsonNode root = result(outcome);
    JsonNode backup = root.path("backup");
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
    JsonNode drill = result(outcome).path("drill");
    if (!drill.isObject()) {
      throw new BenchException(
          outcome.label() + " printed no drill in its JSON result:\n" + outcome.out());
    }
    boolean passed = drill.path("passed").asBoolean(false);
    if (!passed) {
      throw new BenchException(
          outcome.label() + ": the drill did not pass: " + drill.path("differences"));
    }
    return new Drill(
        drill.path("backupId").asText(),
        true,
        Duration.parse(drill.path("restoreDuration").asText()));
  }

  /** The duration of each step that ended DONE, by name, from the live step lines on stderr. */
  static Map<String, Duration> doneSteps(String stderr) {
    Map<String, Duration> steps = new HashMap<>();
    Matcher m = DONE_STEP.matcher(stderr);
    while (m.find()) {
      steps.put(m.group(1), parseShown(m.group(2)));
    }
    return steps;
  }

  /** One step's duration; a failure when the run printed no DONE line for it. */
  static Duration step(Child.Outcome outcome, String name) {
    Duration d = doneSteps(outcome.err()).get(name);
    if (d == null) {
      throw new BenchException(
          outcome.label()
              + " printed no \"[DONE] "
              + name
              + "\" step line on stderr (see "
              + outcome.stderr()
              + "); the CLI's step lines changed and this benchmark must follow");
    }
    return d;
  }

  /** Reads a duration as the CLI shows it: {@code 12.3s}, {@code 4m05s} or {@code 1h02m}. */
  static Duration parseShown(String shown) {
    Matcher m = MINUTES.matcher(shown);
    if (m.matches()) {
      return Duration.ofMinutes(Long.parseLong(m.group(1))).plusSeconds(Long.parseLong(m.group(2)));
    }
    m = HOURS.matcher(shown);
    if (m.matches()) {
      return Duration.ofHours(Long.parseLong(m.group(1))).plusMinutes(Long.parseLong(m.group(2)));
    }
    m = SECONDS.matcher(shown);
    if (m.matches()) {
      return Duration.ofMillis(Math.round(Double.parseDouble(m.group(1)) * 1000));
    }
    throw new IllegalArgumentException("not a duration as the CLI prints one: " + shown);
  }

  private static JsonNode result(Child.Outcome outcome) {
    String out = outcome.out();
    try {
      JsonNode root = JSON.readTree(out);
      if (root == null || !"SUCCEEDED".equals(root.path("outcome").asText())) {
        throw new BenchException(
            outcome.label()
                + " did not succeed; its result:\n"
                + out
                + "\nThe end of its stderr:\n"
                + Child.tail(outcome.err(), 30));
      }
      return root;
    } catch (JsonProcessingException e) {
      throw new BenchException(
          outcome.label() + " printed no JSON result on stdout (see " + outcome.stdout() + ")", e);
    }
  }
}
