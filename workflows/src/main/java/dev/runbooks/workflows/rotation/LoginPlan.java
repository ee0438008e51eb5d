package dev.runbooks.workflows.rotation;

import java.util.List;
import java.util.Objects;

/**
 * What {@code prepare} found and decided.
 *
 * @param renewLogin the login role whose password this rotation renews
 * @param currentVersion the secret's current version, 0 when it does not exist yet
 * @param currentLogin the login the current version names, or null
 * @param previousLogin the login to expire after the grace period, or null when there is none
 *     (single, first rotation, or a current login that is not one of the alternating pair)
 * @param createdLogins the login roles this call created (first rotation)
 */
public record LoginPlan(
    String secretPath,
    String renewLogin,
    int currentVersion,
    String currentLogin,
    String previousLogin,
    List<String> createdLogins) {
  public LoginPlan {
    Objects.requireNonNull(secretPath, "secretPath");
    Objects.requireNonNull(renewLogin, "renewLogin");
    createdLogins = List.copyOf(createdLogins);
  }
}
