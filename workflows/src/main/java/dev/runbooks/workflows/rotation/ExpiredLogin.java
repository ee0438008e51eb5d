package dev.runbooks.workflows.rotation;

import java.util.Objects;

/**
 * @param sessionsTerminated sessions the login still held, now ended
 */
public record ExpiredLogin(String login, int sessionsTerminated) {
  public ExpiredLogin {
    Objects.requireNonNull(login, "login");
  }
}
