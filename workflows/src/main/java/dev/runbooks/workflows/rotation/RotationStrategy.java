package dev.runbooks.workflows.rotation;

/** How a role's credential is rotated. */
public enum RotationStrategy {
  /**
   * Two login roles {@code R_a} and {@code R_b}, members of the group role {@code R}, take turns:
   * each rotation renews the one that is not current, publishes it, and expires the other after a
   * grace period. Clients that re-read the secret never see a failed login.
   */
  ALTERNATING("alternating"),
  /**
   * The role's own password is replaced: new logins with the old password fail from that moment.
   * For roles without long-lived clients.
   */
  SINGLE("single");

  private final String label;

  RotationStrategy(String label) {
    this.label = label;
  }

  /** The name the CLI and the plan use. */
  public String label() {
    return label;
  }
}
