package dev.runbooks.workflows.rotation;

import dev.runbooks.workflows.check.Preflight;
import dev.runbooks.workflows.shared.Texts;

/**
 * What a rotation run shows in the Temporal UI before it starts: its summary and its plan, one line
 * per step of {@link RotationWorkflowImpl#STEPS}.
 */
public final class RotationPlan {
  /** {@code rotate orders_app on orders (alternating) -> db/orders/roles/orders_app}. */
  public static String summary(RotationRequest request) {
    return "rotate "
        + request.role()
        + " on "
        + request.runbook().target()
        + " ("
        + request.strategy().label()
        + ") -> "
        + RotationSecrets.path(request.runbook().target(), request.role());
  }

  /**
   * The plan in Markdown.
   *
   * @param primary the target's primary, as messages show it
   */
  public static String markdown(RotationRequest request, String primary) {
    String role = request.role();
    boolean alternating = request.strategy() == RotationStrategy.ALTERNATING;
    return "**Credential rotation** of role `"
        + role
        + "` on `"
        + request.runbook().target()
        + "` ("
        + primary
        + "), "
        + request.strategy().label()
        + " strategy, started by "
        + request.runbook().initiator()
        + ". Clients read `"
        + RotationSecrets.path(request.runbook().target(), role)
        + "` (keys username, password).\n\n"
        + "0. takes the target's lock: no other migrate, rotate or failover meanwhile\n"
        + Texts.numbered(RotationWorkflowImpl.STEPS, step -> step(step, request))
        + "\n"
        + (alternating
            ? ""
            : "**Warning:** from step 3 on, new logins with the old password FAIL until clients"
                + " re-read the secret. For roles without long-lived clients only.\n\n")
        + "A failure before the new version is written puts the login back: the current"
        + " credential is untouched and works. A failure after it names both versions.\n";
  }

  private static String step(String step, RotationRequest request) {
    String role = request.role();
    boolean alternating = request.strategy() == RotationStrategy.ALTERNATING;
    return switch (step) {
      case Preflight.STEP ->
          "the check runbook's connectivity and privilege checks; a critical finding stops the"
              + " run before anything changes";
      case "prepare" ->
          alternating
              ? "`"
                  + role
                  + "` must exist; creates the logins `"
                  + RotationSecrets.loginA(role)
                  + "` and `"
                  + RotationSecrets.loginB(role)
                  + "` (members of it) if missing; picks the one the store does not name"
              : "`" + role + "` must exist and be able to log in";
      case "renew" ->
          alternating
              ? "a new random password for that login, set as a SCRAM-SHA-256 verifier, tested"
                  + " with a real login reading what only `"
                  + role
                  + "` may read, then written to the store as the new version (check-and-set)"
              : "a new random password for it, set as a SCRAM-SHA-256 verifier, tested with a"
                  + " real login, then written to the store (check-and-set)";
      case "grace" ->
          alternating
              ? Texts.duration(request.grace())
                  + " for clients to re-read the secret; the previous login keeps working"
              : "skipped: with the single strategy the old password stops working at renew";
      case "expire" ->
          alternating
              ? "the previous login gets VALID UNTIL now; its sessions are ended"
              : "skipped: the single strategy keeps one login";
      default -> throw Texts.unknownStep(step);
    };
  }

  private RotationPlan() {}
}
