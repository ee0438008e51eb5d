package dev.runbooks.activities.failover;

import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.activities.secrets.SecretStore;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.workflows.failover.CatchUp;
import dev.runbooks.workflows.failover.CatchUpInput;
import dev.runbooks.workflows.failover.FailoverActivities;
import dev.runbooks.workflows.failover.FenceInput;
import dev.runbooks.workflows.failover.Fencing;
import dev.runbooks.workflows.failover.PrimaryProbe;
import dev.runbooks.workflows.failover.Promotion;
import dev.runbooks.workflows.failover.Publication;
import dev.runbooks.workflows.failover.PublishInput;
import dev.runbooks.workflows.failover.Rejoin;
import dev.runbooks.workflows.failover.RejoinInput;
import dev.runbooks.workflows.failover.Repoint;
import dev.runbooks.workflows.failover.RepointInput;
import dev.runbooks.workflows.failover.ServerInput;
import dev.runbooks.workflows.failover.Topology;
import dev.runbooks.workflows.failover.Verification;
import dev.runbooks.workflows.failover.VerifyInput;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The failover runbook's side effects over a target's PostgreSQL servers, as its admin role, one
 * stage per step of the runbook (runbooks/failover.md): {@link TopologyProbe} (preflight), {@link
 * FenceStage} (fence), {@link PromotionStage} (catch-up, promote, verify), {@link RepointStage},
 * {@link PublishStage}, {@link RejoinStage}.
 *
 * <p>The admin role must be a superuser: fencing uses ALTER SYSTEM and reads pg_file_settings, ends
 * other roles' sessions and changes their LOGIN attribute, and repointing reads primary_conninfo,
 * which only superusers can see. Every session that changes a server turns
 * default_transaction_read_only off for itself first, so a fenced server stays workable for the
 * runbook alone.
 */
public final class FailoverActivitiesImpl implements FailoverActivities {
  private final TopologyProbe topology;
  private final FenceStage fence;
  private final PromotionStage promotion;
  private final RepointStage repoint;
  private final PublishStage publish;
  private final RejoinStage rejoin;

  /**
   * @param binaries pg_ctl and pg_rewind, for {@code --rejoin} on the old primary's host; empty
   *     when the worker has none (rejoin then lists the manual steps)
   */
  public FailoverActivitiesImpl(
      TargetConnections connections,
      FailoverTargets targets,
      SecretStore secrets,
      Optional<PgBinaries> binaries,
      Clock clock) {
    this(
        connections,
        targets,
        secrets,
        binaries,
        clock,
        Duration.ofSeconds(1),
        Duration.ofSeconds(20));
  }

  /**
   * @param downInterval between the attempts to reach a primary before calling it down
   * @param streamingWait how long a repointed or rejoined server may take to stream
   */
  FailoverActivitiesImpl(
      TargetConnections connections,
      FailoverTargets targets,
      SecretStore secrets,
      Optional<PgBinaries> binaries,
      Clock clock,
      Duration downInterval,
      Duration streamingWait) {
    Objects.requireNonNull(connections, "connections");
    Objects.requireNonNull(targets, "targets");
    Objects.requireNonNull(secrets, "secrets");
    Objects.requireNonNull(binaries, "binaries");
    Objects.requireNonNull(clock, "clock");
    this.topology = new TopologyProbe(connections, targets, downInterval);
    this.fence = new FenceStage(connections, targets, clock);
    this.promotion = new PromotionStage(connections, clock);
    this.repoint = new RepointStage(connections, targets, streamingWait);
    this.publish = new PublishStage(targets, secrets, clock);
    this.rejoin = new RejoinStage(connections, targets, binaries, streamingWait);
  }

  @Override
  public Topology inspectTopology(String target) {
    return topology.inspect(target);
  }

  @Override
  public PrimaryProbe confirmPrimaryDown(String target) {
    return topology.confirmDown(target);
  }

  @Override
  public Fencing fencePrimary(FenceInput input) {
    return fence.fence(input);
  }

  @Override
  public String unfencePrimary(FenceInput input) {
    return fence.unfence(input);
  }

  @Override
  public CatchUp awaitReplay(CatchUpInput input) {
    return promotion.awaitReplay(input);
  }

  @Override
  public Promotion promoteReplica(ServerInput input) {
    return promotion.promote(input);
  }

  @Override
  public boolean isInRecovery(ServerInput input) {
    return promotion.isInRecovery(input);
  }

  @Override
  public Verification verifyPrimary(VerifyInput input) {
    return promotion.verify(input);
  }

  @Override
  public Repoint repointReplica(RepointInput input) {
    return repoint.repoint(input);
  }

  @Override
  public Publication publishEndpoint(PublishInput input) {
    return publish.publish(input);
  }

  @Override
  public Rejoin rejoinOldPrimary(RejoinInput input) {
    return rejoin.rejoin(input);
  }
}
