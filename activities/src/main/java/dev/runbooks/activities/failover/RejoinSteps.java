package dev.runbooks.activities.failover;

import dev.runbooks.activities.config.Endpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The rejoin's steps for a person, exact to where an automatic rejoin stopped: the whole procedure
 * when nothing was done, a rebuild with pg_basebackup when the old primary was stopped and could
 * not be rewound. The last step always says what to do with runbooks.yaml: nothing.
 */
final class RejoinSteps {
  /** The physical slot that keeps the old primary's WAL from its last checkpoint for pg_rewind. */
  static final String SLOT = "runbooks_rejoin";

  private final String target;
  private final String newPrimary;
  private final Endpoint old;
  private final Endpoint now;
  private final String where;

  RejoinSteps(String target, String newPrimary, Endpoint old, Endpoint now) {
    this.target = target;
    this.newPrimary = newPrimary;
    this.old = old;
    this.now = now;
    this.where = "on the old primary's host (" + old.address() + ")";
  }

  /** The whole procedure, the old primary running (fenced) or down. */
  List<String> procedure(boolean oldPrimaryDown) {
    List<String> steps = new ArrayList<>();
    if (oldPrimaryDown) {
      steps.add("keep the old primary stopped: it is not fenced and would take writes");
    } else {
      steps.add(
          where
              + ", before stopping it: SELECT pg_create_physical_replication_slot('"
              + SLOT
              + "', true); so that its shutdown checkpoint keeps the WAL pg_rewind reads (without"
              + " it pg_rewind fails with \"could not find previous WAL record\" unless"
              + " wal_keep_size or an archive keeps that WAL)");
    }
    steps.add(
        where
            + ": pg_ctl -D DATADIR stop -m fast (DATADIR: SHOW data_directory on it, or the"
            + " service's setting)");
    steps.add(
        where
            + ": pg_rewind --target-pgdata=DATADIR --source-server='host="
            + now.host()
            + " port="
            + now.port()
            + " user=SUPERUSER dbname="
            + now.database()
            + "' --write-recovery-conf (add --restore-target-wal when it has a restore_command;"
            + " it needs wal_log_hints=on or data checksums; otherwise rebuild it with"
            + " pg_basebackup -R from "
            + now.address()
            + ")");
    steps.add(
        where
            + ": remove the lines default_transaction_read_only and "
            + FenceRecord.SETTING
            + " from DATADIR/postgresql.auto.conf, then pg_ctl -D DATADIR start, check that"
            + " pg_stat_wal_receiver shows it streaming from "
            + now.address()
            + ", and SELECT pg_drop_replication_slot('"
            + SLOT
            + "') on it if it has that slot");
    steps.add(configuration());
    return steps;
  }

  /**
   * The old primary cannot be rewound, or was stopped and not rewound: rebuild it from the new
   * primary. Nothing of its own is lost: a planned switchover's candidate replayed all it wrote
   * before the fence.
   */
  List<String> rebuild(Path dataDir, String owner, String user, boolean running) {
    String dir = dataDir == null ? "DATADIR" : dataDir.toString();
    return List.of(
        where
            + ", as "
            + (owner == null ? "the server's OS user" : owner)
            + (running
                ? ": pg_ctl -D " + dir + " stop -m fast, then rebuild it"
                : ": keep it stopped and rebuild it")
            + " as a replica of "
            + newPrimary
            + ": mv "
            + dir
            + " "
            + dir
            + ".before-rejoin; pg_basebackup -h "
            + now.host()
            + " -p "
            + now.port()
            + " -U "
            + user
            + " -D "
            + dir
            + " -R -X stream -c fast (the password in ~/.pgpass, so that -R does not write it into"
            + " primary_conninfo); copy back its own postgresql.conf, pg_hba.conf and pg_ident.conf"
            + " from "
            + dir
            + ".before-rejoin if they live in the data directory; pg_ctl -D "
            + dir
            + " -l "
            + dir
            + "/runbooks-rejoin.log start; check that pg_stat_wal_receiver shows it streaming"
            + " from "
            + now.address()
            + "; then delete "
            + dir
            + ".before-rejoin",
        configuration());
  }

  /** The rewind is done, the server is not streaming: what to look at. */
  List<String> start(Path dataDir) {
    return List.of(
        where
            + ": it was rewound into a replica of "
            + newPrimary
            + " but does not stream: read "
            + dataDir.resolve("runbooks-rejoin.log")
            + ", check primary_conninfo and standby.signal in "
            + dataDir
            + ", start it with pg_ctl -D "
            + dataDir
            + " start if it is stopped, and check pg_stat_wal_receiver; then"
            + " SELECT pg_drop_replication_slot('"
            + SLOT
            + "') on it",
        configuration());
  }

  /** The last step: the configuration stays as it is, the old primary stays listed. */
  String configuration() {
    return "nothing to edit in runbooks.yaml: every runbook finds the primary among targets."
        + target
        + "'s servers when it starts ("
        + newPrimary
        + " at "
        + now.address()
        + " now); keep the old primary ("
        + old.address()
        + ") listed, fenced or as a replica (runbooks/failover.md, \"Topology\")";
  }
}
