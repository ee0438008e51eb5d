package dev.runbooks.activities.rotation;

import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.activities.secrets.SecretStore;
import dev.runbooks.workflows.rotation.DropLoginsInput;
import dev.runbooks.workflows.rotation.ExpireInput;
import dev.runbooks.workflows.rotation.ExpiredLogin;
import dev.runbooks.workflows.rotation.LoginPlan;
import dev.runbooks.workflows.rotation.RenewInput;
import dev.runbooks.workflows.rotation.RenewedLogin;
import dev.runbooks.workflows.rotation.RotationActivities;
import dev.runbooks.workflows.rotation.RotationInput;

/**
 * Rotates a role's password on a target's primary and publishes it in the secret store. The
 * password is made in {@link Renewal} ({@link java.security.SecureRandom}), reaches the server only
 * as a SCRAM-SHA-256 verifier, is used for one {@link TestLogin}, and is written to the store by
 * {@link Publication}; it never leaves those classes otherwise: no log line, exception message or
 * return value carries it.
 *
 * <p>This class only adapts the activity interface to the stages of the runbook, which live in
 * classes of their own named after its steps: {@link Preparation} (prepare), {@link Renewal}
 * (renew), {@link Expiry} (expire) and the {@link Rollback} of a rotation that did not publish.
 */
public final class RotationActivitiesImpl implements RotationActivities {
  private final Preparation preparation;
  private final Renewal renewal;
  private final Rollback rollback;
  private final Expiry expiry;

  /** Rotation that allows no role attribute on any target. */
  public RotationActivitiesImpl(TargetConnections connections, SecretStore secrets) {
    this(connections, secrets, RotationTargets.strict());
  }

  public RotationActivitiesImpl(
      TargetConnections connections, SecretStore secrets, RotationTargets targets) {
    RotationContext context = new RotationContext(connections, secrets, targets);
    PutBack putBack = new PutBack(context);
    this.preparation = new Preparation(context);
    this.renewal = new Renewal(context, putBack, new Publication(context));
    this.rollback = new Rollback(context, putBack);
    this.expiry = new Expiry(context);
  }

  @Override
  public LoginPlan prepareLogins(RotationInput input) {
    return preparation.prepare(input);
  }

  @Override
  public RenewedLogin renewLogin(RenewInput input) {
    return renewal.renew(input);
  }

  @Override
  public String restoreLogin(RenewInput input) {
    return rollback.restoreLogin(input);
  }

  @Override
  public String dropCreatedLogins(DropLoginsInput input) {
    return rollback.dropCreatedLogins(input);
  }

  @Override
  public ExpiredLogin expireLogin(ExpireInput input) {
    return expiry.expire(input);
  }
}
