package dev.runbooks.workflows;

import dev.runbooks.workflows.backup.BackupCatalogWorkflowImpl;
import dev.runbooks.workflows.backup.BackupWorkflowImpl;
import dev.runbooks.workflows.backup.RestoreDrillWorkflowImpl;
import dev.runbooks.workflows.backup.RestoreWorkflowImpl;
import dev.runbooks.workflows.check.CheckWorkflowImpl;
import dev.runbooks.workflows.failover.FailoverWorkflowImpl;
import dev.runbooks.workflows.migration.MigrationWorkflowImpl;
import dev.runbooks.workflows.pitr.PhysicalBackupWorkflowImpl;
import dev.runbooks.workflows.pitr.PitrDrillWorkflowImpl;
import dev.runbooks.workflows.pitr.PitrRestoreWorkflowImpl;
import dev.runbooks.workflows.pitr.WalArchiveStateWorkflowImpl;
import dev.runbooks.workflows.pitr.WalArchiverWorkflowImpl;
import dev.runbooks.workflows.rotation.RotationWorkflowImpl;
import dev.runbooks.workflows.shared.TargetLockWorkflowImpl;
import java.util.List;

/** Every workflow implementation a worker registers. */
public final class Runbooks {
  /** The task queue workers poll unless configured otherwise. */
  public static final String DEFAULT_TASK_QUEUE = "runbooks";

  public static final List<Class<?>> WORKFLOW_IMPLEMENTATIONS =
      List.of(
          CheckWorkflowImpl.class,
          TargetLockWorkflowImpl.class,
          BackupWorkflowImpl.class,
          RestoreDrillWorkflowImpl.class,
          RestoreWorkflowImpl.class,
          BackupCatalogWorkflowImpl.class,
          RotationWorkflowImpl.class,
          FailoverWorkflowImpl.class,
          MigrationWorkflowImpl.class,
          WalArchiverWorkflowImpl.class,
          WalArchiveStateWorkflowImpl.class,
          PhysicalBackupWorkflowImpl.class,
          PitrRestoreWorkflowImpl.class,
          PitrDrillWorkflowImpl.class);

  private Runbooks() {}
}
