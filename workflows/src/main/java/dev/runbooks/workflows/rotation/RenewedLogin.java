package dev.runbooks.workflows.rotation;

import java.util.Objects;

/**
 * A renewed and published login.
 *
 * @param version the secret's new current version
 * @param tested what the test login did, e.g. "logged in, read public.orders as a member of app"
 */
public record RenewedLogin(String login, int version, String tested) {
  public RenewedLogin {
    Objects.requireNonNull(login, "login");
    Objects.requireNonNull(tested, "tested");
  }
}
