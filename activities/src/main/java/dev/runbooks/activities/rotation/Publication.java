package dev.runbooks.activities.rotation;

import dev.runbooks.activities.secrets.SecretConflictException;
import dev.runbooks.activities.secrets.SecretStoreAccessDeniedException;
import dev.runbooks.workflows.rotation.RenewInput;
import dev.runbooks.workflows.shared.FailureType;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Publishing the tested password as the secret's new current version, with check-and-set on the
 * version prepare read, so a rotation never overwrites what someone wrote meanwhile.
 */
final class Publication {
  private final RotationContext context;

  Publication(RotationContext context) {
    this.context = context;
  }

  /** The new version. */
  int publish(RenewInput in, String password) {
    try {
      return context.secrets.write(
          in.secretPath(),
          Map.of(RotationContext.USERNAME, in.login(), RotationContext.PASSWORD, password),
          OptionalInt.of(in.expectedVersion()));
    } catch (SecretConflictException e) {
      throw conflict(in, e.actual());
    } catch (SecretStoreAccessDeniedException e) {
      throw e.toFailure();
    }
  }

  static RuntimeException conflict(RenewInput in, int found) {
    return FailureType.CONFLICT.failure(
        "secret "
            + in.secretPath()
            + " is at version "
            + found
            + " where this rotation read version "
            + in.expectedVersion()
            + ": another rotation or a person wrote it meanwhile. Nothing was published by this"
            + " run. Fix: check who wrote it ('runbook list'), then rotate again.");
  }
}
