package dev.runbooks.activities.config;

import dev.runbooks.workflows.backup.RetentionPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A database the runbooks may touch.
 *
 * @param name the target's name, the key under {@code targets:}
 * @param replicas in configuration order
 * @param migrations the absolute directory of the target's migrations, or null when it has none
 * @param production non-production targets may skip approval gates
 * @param fourEyes when true, the approver must differ from the initiator
 * @param approvalTimeout how long an approval gate waits before the run aborts
 * @param retention which backups retention keeps: the target's {@code retention:}, else the
 *     top-level one, else {@link RetentionPolicy#keepEverything()}
 * @param backupFreshness the newest verified backup must be younger than this: the target's {@code
 *     backupFreshness:}, else the top-level one; null when neither is set
 * @param failover the target's {@code failover:} settings, defaults when it has none
 * @param rotation the target's {@code rotation:} settings, defaults when it has none
 * @param primaryName the member name of {@code primary}: {@value #PRIMARY}, or the first entry's
 *     name under {@code members:}
 * @param walFreshness the WAL archive may be at most this far behind the primary ({@code runbook
 *     backups} exits 1 past it): the target's {@code walFreshness:}, else the top-level one; null
 *     when neither is set
 * @param irreversibleMigrations {@code migrations.irreversible}: versions declared irreversible
 *     ({@code "1.8"}, or {@code "1.9+"} for it and every later one) besides those marked so
 */
public record TargetConfig(
    String name,
    Endpoint primary,
    List<ReplicaConfig> replicas,
    AdminConfig admin,
    Path migrations,
    boolean production,
    boolean fourEyes,
    Duration approvalTimeout,
    RetentionPolicy retention,
    Duration backupFreshness,
    FailoverConfig failover,
    RotationConfig rotation,
    String primaryName,
    Duration walFreshness,
    List<String> irreversibleMigrations) {
  public static final Duration DEFAULT_APPROVAL_TIMEOUT = Duration.ofHours(4);

  /** The member name of a target's {@code primary:}. */
  public static final String PRIMARY = "primary";

  /**
   * A target without a {@code walFreshness:} limit nor irreversible versions in the configuration.
   */
  public TargetConfig(
      String name,
      Endpoint primary,
      List<ReplicaConfig> replicas,
      AdminConfig admin,
      Path migrations,
      boolean production,
      boolean fourEyes,
      Duration approvalTimeout,
      RetentionPolicy retention,
      Duration backupFreshness,
      FailoverConfig failover,
      RotationConfig rotation,
      String primaryName) {
    this(
        name,
        primary,
        replicas,
        admin,
        migrations,
        production,
        fourEyes,
        approvalTimeout,
        retention,
        backupFreshness,
        failover,
        rotation,
        primaryName,
        null,
        List.of());
  }

  public TargetConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(primary, "primary");
    replicas = List.copyOf(replicas);
    Objects.requireNonNull(admin, "admin");
    Objects.requireNonNull(approvalTimeout, "approvalTimeout");
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(failover, "failover");
    Objects.requireNonNull(rotation, "rotation");
    Objects.requireNonNull(primaryName, "primaryName");
    irreversibleMigrations = List.copyOf(irreversibleMigrations);
  }

  /** Every server of the target, the configured primary first. */
  public List<MemberConfig> members() {
    List<MemberConfig> members = new ArrayList<>();
    members.add(new MemberConfig(primaryName, primary));
    for (ReplicaConfig r : replicas) {
      members.add(new MemberConfig(r.name(), r.endpoint(primary)));
    }
    return List.copyOf(members);
  }

  /** The member of this name, if configured. */
  public Optional<MemberConfig> member(String memberName) {
    return members().stream().filter(m -> m.name().equals(memberName)).findFirst();
  }

  /** The members' names in configuration order. */
  public List<String> memberNames() {
    return members().stream().map(MemberConfig::name).toList();
  }

  /** The replica of this name, if configured. */
  public Optional<ReplicaConfig> replica(String replicaName) {
    return replicas.stream().filter(r -> r.name().equals(replicaName)).findFirst();
  }

  /** The replicas' names in configuration order. */
  public List<String> replicaNames() {
    List<String> names = new ArrayList<>();
    for (ReplicaConfig r : replicas) {
      names.add(r.name());
    }
    return List.copyOf(names);
  }
}
