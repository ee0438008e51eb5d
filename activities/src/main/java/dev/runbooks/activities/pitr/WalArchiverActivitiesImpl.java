package dev.runbooks.activities.pitr;

import dev.runbooks.workflows.pitr.ArchiveInput;
import dev.runbooks.workflows.pitr.ArchiveSession;
import dev.runbooks.workflows.pitr.WalArchiveState;
import dev.runbooks.workflows.pitr.WalArchiverActivities;

/** The WAL archiver's activities: streaming sessions, and the archive's state. */
public final class WalArchiverActivitiesImpl implements WalArchiverActivities {
  private final ArchiveSessions sessions;
  private final ArchiveStates states;

  public WalArchiverActivitiesImpl(ArchiverWiring wiring) {
    this.sessions = new ArchiveSessions(wiring);
    this.states = new ArchiveStates(wiring);
  }

  @Override
  public ArchiveSession archiveWal(ArchiveInput input) {
    return sessions.run(input);
  }

  @Override
  public WalArchiveState describeWalArchive(String target) {
    return states.describe(target);
  }
}
