package dev.runbooks.workflows.backup;

import io.temporal.workflow.QueryMethod;
import java.util.List;

/**
 * A runbook whose run depends on backups while it is open: a migration rehearses on a copy restored
 * from one and takes another before it changes anything. Retention keeps every backup the run
 * holding the target's lock names here (see {@link BackupsInUseActivities}).
 */
public interface BackupReferences {
  /** The query's name, for asking a run of any type. */
  String QUERY = "referencedBackups";

  /** The ids of the backups this run depends on so far; empty when none. */
  @QueryMethod(name = QUERY)
  List<String> referencedBackups();
}
