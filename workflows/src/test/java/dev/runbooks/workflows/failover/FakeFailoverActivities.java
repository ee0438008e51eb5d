package dev.runbooks.workflows.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A primary and two caught-up replicas, in memory; records the calls made. */
public class FakeFailoverActivities implements FailoverActivities {
  public final List<String> calls = new ArrayList<>();
  public boolean failPromotion;
  public boolean approvalRequired;

  /** What the rejoin step answers; null: the manual steps. */
  public Rejoin rejoinAnswer;

  public boolean failRejoin;

  private static final Instant T0 = Instant.parse("2026-11-24T03:00:00Z");

  @Override
  public Topology inspectTopology(String target) {
    calls.add("inspect");
    return new Topology(
        new PrimaryState("primary", "db1:5432", true, "", "0/5000000", 1),
        List.of(
            new ReplicaState(
                "db2",
                "db2:5432",
                true,
                "",
                true,
                false,
                "0/5000000",
                "0/5000000",
                0L,
                Duration.ZERO,
                "0/5000000"),
            new ReplicaState(
                "db3",
                "db3:5432",
                true,
                "",
                true,
                false,
                "0/4FFFF00",
                "0/4FFFF00",
                256L,
                Duration.ofMillis(5),
                "0/5000000")),
        new FailoverSettings(approvalRequired, Duration.ofSeconds(60), 16L * 1024 * 1024, null));
  }

  @Override
  public PrimaryProbe confirmPrimaryDown(String target) {
    calls.add("confirmDown");
    return new PrimaryProbe(true, 3, "connection refused");
  }

  @Override
  public Fencing fencePrimary(FenceInput input) {
    calls.add("fence");
    return new Fencing("0/5000100", T0, true, List.of("app"), 2);
  }

  @Override
  public String unfencePrimary(FenceInput input) {
    calls.add("unfence");
    return "writes resumed";
  }

  @Override
  public CatchUp awaitReplay(CatchUpInput input) {
    calls.add("catchUp " + input.replica());
    return new CatchUp("0/5000100", 0);
  }

  @Override
  public Promotion promoteReplica(ServerInput input) {
    calls.add("promote " + input.server());
    if (failPromotion) {
      throw dev.runbooks.workflows.shared.FailureType.PERMISSION_DENIED.failure(
          "pg_promote: permission denied");
    }
    return new Promotion(false, 2, "0/5000200");
  }

  @Override
  public boolean isInRecovery(ServerInput input) {
    calls.add("isInRecovery " + input.server());
    return true;
  }

  @Override
  public Verification verifyPrimary(VerifyInput input) {
    calls.add("verify " + input.server() + " " + input.reopenRoles());
    return new Verification(2, "0/5000300", T0.plusMillis(400));
  }

  @Override
  public Repoint repointReplica(RepointInput input) {
    calls.add("repoint " + input.replica());
    return new Repoint(input.replica(), true, true, input.replica() + " streams");
  }

  @Override
  public Publication publishEndpoint(PublishInput input) {
    calls.add("publish " + input.newPrimary());
    return new Publication("runbooks/endpoints/orders", 1, "db2:5432/orders", "");
  }

  @Override
  public Rejoin rejoinOldPrimary(RejoinInput input) {
    calls.add("rejoin");
    if (failRejoin) {
      throw io.temporal.failure.ApplicationFailure.newNonRetryableFailure(
          "lost the worker's host", "RUNBOOK_FAILED");
    }
    if (rejoinAnswer != null) {
      return rejoinAnswer;
    }
    return new Rejoin(false, "manual steps listed", List.of("pg_rewind the old primary"));
  }
}
