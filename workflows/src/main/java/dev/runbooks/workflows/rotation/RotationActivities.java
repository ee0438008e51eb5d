package dev.runbooks.workflows.rotation;

import io.temporal.activity.ActivityInterface;

/**
 * The side effects of credential rotation. Passwords are made, set, tested and stored inside {@link
 * #renewLogin}; none enters or leaves an activity. Each method can run twice safely.
 */
@ActivityInterface
public interface RotationActivities {
  /**
   * Checks that the role exists, creates the missing login roles of the alternating pair as members
   * of it, and decides which login this rotation renews from what the secret store says is current.
   */
  LoginPlan prepareLogins(RotationInput input);

  /**
   * Gives the login a new random password (a SCRAM-SHA-256 verifier computed here, so the server
   * never sees the plaintext), logs in with it and reads something only the role may read, then
   * writes it to the secret store as the new current version with check-and-set. Any failure before
   * the write puts the login back as it was. Run again after a successful write: returns the
   * published version.
   */
  RenewedLogin renewLogin(RenewInput input);

  /**
   * The rollback of {@link #renewLogin}: when the new password was not published, the login is put
   * back (alternating: no password; single: the current version's password). Returns what it did.
   */
  String restoreLogin(RenewInput input);

  /**
   * The rollback of {@link #prepareLogins}: drops the logins that call created (and marked as its
   * own), unless the secret store publishes one. Returns what it did; "nothing to undo" when they
   * are gone already.
   */
  String dropCreatedLogins(DropLoginsInput input);

  /** Expires the previous login ({@code VALID UNTIL} now) and terminates its sessions. */
  ExpiredLogin expireLogin(ExpireInput input);
}
