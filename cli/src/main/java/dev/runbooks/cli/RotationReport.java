package dev.runbooks.cli;

import dev.runbooks.workflows.rotation.RotationResult;
import dev.runbooks.workflows.rotation.RotationStrategy;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/** A rotation's result, as text for people or JSON for scripts. Never a password. */
final class RotationReport {
  private RotationReport() {}

  static final Launcher.Report<RotationResult> ROTATION =
      new Launcher.Report<>() {
        @Override
        public void printText(RotationResult r, PrintWriter out) {
          out.println();
          out.println("Rotated role " + r.role() + " (" + r.strategy().label() + ")");
          out.println(
              "  renewed     "
                  + r.renewedLogin()
                  + ": new password tested and published as "
                  + r.secretPath()
                  + "@"
                  + r.newVersion());
          out.println(
              "  previous    "
                  + (r.previousVersion() == 0
                      ? "none: the secret is new"
                      : r.secretPath()
                          + "@"
                          + r.previousVersion()
                          + " ("
                          + r.previousLogin()
                          + ")"));
          if (r.strategy() == RotationStrategy.SINGLE) {
            out.println("  expired     the old password, at once (single strategy)");
          } else if (r.expiredLogin() != null) {
            out.println(
                "  expired     "
                    + r.expiredLogin()
                    + " after a grace period of "
                    + Text.duration(r.grace())
                    + "; "
                    + r.sessionsTerminated()
                    + " session"
                    + (r.sessionsTerminated() == 1 ? "" : "s")
                    + " terminated");
          } else {
            out.println("  expired     nothing: no previous login of the pair");
          }
          out.println("  took        " + Text.duration(r.rotationDuration()) + " (grace excluded)");
          out.println("Clients read " + r.secretPath() + " (keys username and password).");
        }

        @Override
        public Map<String, Object> json(RotationResult result) {
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("rotation", result);
          return json;
        }
      };
}
