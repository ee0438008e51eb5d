package dev.runbooks.workflows.backup;

import java.util.List;
import java.util.Objects;

/**
 * @param policy null applies the target's configured policy
 * @param protectedIds backups that must survive whatever the policy says (the one just taken)
 */
public record RetentionInput(
    String target, RetentionPolicy policy, List<String> protectedIds, String idempotencyKey) {
  public RetentionInput {
    Objects.requireNonNull(target, "target");
    protectedIds = List.copyOf(protectedIds);
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }
}
