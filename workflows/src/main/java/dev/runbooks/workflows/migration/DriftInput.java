package dev.runbooks.workflows.migration;

import java.util.Objects;

/**
 * Compare the target's schema before the apply with the schema the last successful apply recorded
 * or, when none did, with the rehearsal's starting schema.
 *
 * @param before the snapshot of the target taken in the backup step
 * @param rehearsalKey where the rehearsal kept its starting schema on its worker
 * @param rehearsalHash SHA-256 of the rehearsal's starting schema
 * @param acceptDrift the operator's reason to go on over a drifted schema; null refuses it
 */
public record DriftInput(
    String target,
    SchemaSnapshot before,
    String rehearsalKey,
    String rehearsalHash,
    String acceptDrift,
    String idempotencyKey) {
  public DriftInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(before, "before");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }

  /** Where the rehearsal keeps its starting schema on its worker: beside its own key. */
  public static String rehearsalSchemaKey(String rehearsalKey) {
    return rehearsalKey + "/start";
  }
}
