package dev.runbooks.cli;

import java.util.Map;

/** Who runs the command: {@code RUNBOOK_USER}, else the operating system user. */
final class Identity {
  static final String USER_ENV = "RUNBOOK_USER";

  private Identity() {}

  static String user(Map<String, String> env) {
    String user = env.get(USER_ENV);
    if (user != null && !user.isBlank()) {
      return user.strip();
    }
    String name = System.getProperty("user.name");
    return name == null || name.isBlank() ? "unknown" : name;
  }
}
