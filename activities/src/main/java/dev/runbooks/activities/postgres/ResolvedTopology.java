package dev.runbooks.activities.postgres;

import dev.runbooks.workflows.shared.FailureType;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which member of a target is the primary now, the others, and how that was decided: what every
 * runbook uses instead of the configured {@code primary:}.
 *
 * @param primary the member that takes writes; null when there is no single one
 * @param decision how the primary was decided, or what was found instead
 * @param warnings what does not stop a run but an operator should know (a member down, an endpoint
 *     record that names another member)
 * @param refusal why no runbook that writes or backs up may run (split brain, no writable member, a
 *     former primary behind the published one), with the evidence; null when one primary was found
 * @param fix what the operator does about the refusal; empty when there is none
 * @param lastKnownPrimary the member the failover's endpoint record names, else the configured
 *     primary: the primary that went down when no member takes writes
 */
public record ResolvedTopology(
    String target,
    String primary,
    List<MemberState> members,
    String decision,
    List<String> warnings,
    String refusal,
    String fix,
    String lastKnownPrimary) {
  public ResolvedTopology {
    Objects.requireNonNull(target, "target");
    members = List.copyOf(members);
    Objects.requireNonNull(decision, "decision");
    warnings = List.copyOf(warnings);
    fix = fix == null ? "" : fix;
    Objects.requireNonNull(lastKnownPrimary, "lastKnownPrimary");
  }

  /** The primary's state, empty when there is no single primary. */
  public Optional<MemberState> primaryMember() {
    return members.stream().filter(m -> m.name().equals(primary)).findFirst();
  }

  public Optional<MemberState> member(String name) {
    return members.stream().filter(m -> m.name().equals(name)).findFirst();
  }

  /** Every member but the primary, in configuration order. */
  public List<String> replicaNames() {
    return members.stream().map(MemberState::name).filter(n -> !n.equals(primary)).toList();
  }

  /** The one line a run's first step and {@code check} show. */
  public String summary() {
    if (refusal != null) {
      return refusal;
    }
    MemberState p = primaryMember().orElseThrow();
    StringBuilder s =
        new StringBuilder("primary ")
            .append(p.name())
            .append(" at ")
            .append(p.address())
            .append(" (timeline ")
            .append(p.timeline())
            .append(")");
    List<MemberState> others = members.stream().filter(m -> !m.name().equals(primary)).toList();
    if (!others.isEmpty()) {
      s.append("; replicas ");
      for (int i = 0; i < others.size(); i++) {
        MemberState m = others.get(i);
        s.append(i == 0 ? "" : ", ").append(m.name()).append(" (").append(m.state());
        if (m.reachable() && m.timeline() > 0) {
          s.append(", timeline ").append(m.timeline());
        }
        s.append(")");
      }
    }
    return s.append("; decided: ").append(decision).toString();
  }

  /** Each member's evidence, one line each. */
  public List<String> evidence() {
    return members.stream().map(MemberState::evidence).toList();
  }

  /** The non-retryable failure that stops a run when there is no single primary. */
  public ApplicationFailure refused() {
    return FailureType.PREFLIGHT_FAILED.failure(
        "target " + target + ": " + refusal + ". Nothing was changed. Fix: " + fix);
  }
}
