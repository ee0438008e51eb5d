package dev.runbooks.workflows.backup;

import dev.runbooks.workflows.shared.ScratchNames;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Backup ids sort by time: {@code 20261124T020000Z-1a2b} (UTC start, then 4 random hex digits). */
public final class BackupIds {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** A new id, deterministic on replay: workflow time and the workflow's random source. */
  public static String next() {
    String stamp = STAMP.format(Instant.ofEpochMilli(Workflow.currentTimeMillis()));
    return stamp + "-" + Workflow.randomUUID().toString().substring(0, 4);
  }

  /** A drill's scratch database: named after its run, unique to it, within 63 bytes. */
  public static String scratchDatabase(String workflowId) {
    return ScratchNames.database("drill_", workflowId);
  }

  private BackupIds() {}
}
