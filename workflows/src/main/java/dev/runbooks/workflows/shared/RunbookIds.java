package dev.runbooks.workflows.shared;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Workflow IDs are business keys: {@code <kind>-<target>-<UTC yyyyMMdd'T'HHmmss>}. */
public final class RunbookIds {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  public static String workflowId(RunbookKind kind, String target, Instant at) {
    return kind.label() + "-" + target + "-" + STAMP.format(at);
  }

  private RunbookIds() {}
}
