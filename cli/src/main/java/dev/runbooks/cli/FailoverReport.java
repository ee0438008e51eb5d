package dev.runbooks.cli;

import dev.runbooks.workflows.failover.FailoverResult;
import dev.runbooks.workflows.failover.ServerState;
import dev.runbooks.workflows.failover.StepTiming;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A failover's outcome: what holds now, as text for people or JSON for scripts. */
final class FailoverReport {
  private FailoverReport() {}

  static final Launcher.Report<FailoverResult> FAILOVER =
      new Launcher.Report<>() {
        @Override
        public void printText(FailoverResult r, PrintWriter out) {
          out.println();
          out.println(
              (r.planned() ? "Switchover" : "Unplanned failover")
                  + " of "
                  + r.target()
                  + ": "
                  + r.newPrimary()
                  + " is the primary (timeline "
                  + r.newTimeline()
                  + ")");
          out.println("  new primary   " + r.newPrimary() + " at " + r.endpoint().endpoint());
          out.println("  old primary   " + r.oldPrimary() + ": " + r.oldPrimaryState());
          out.println(
              "  WAL           old primary's last "
                  + (r.finalLsn() == null ? "unknown" : r.finalLsn())
                  + ", replayed "
                  + r.replayedLsn());
          out.println(
              "  data lost     "
                  + (r.bytesLost() == null
                      ? "unknown (the primary's last position is not known)"
                      : r.bytesLost() + " bytes"));
          if (r.writeOutage() != null) {
            out.println(
                "  write outage  "
                    + r.writeOutage().toMillis()
                    + " ms (fence to the first write the new primary accepted)");
          }
          out.println(
              "  repointed     "
                  + (r.repointed().isEmpty() ? "none" : String.join(", ", r.repointed())));
          out.println(
              "  endpoint      "
                  + r.endpoint().path()
                  + " version "
                  + r.endpoint().version()
                  + (r.endpoint().hook().isEmpty() ? "" : "; hook: " + r.endpoint().hook()));
          out.println("  steps         " + String.join(", ", timings(r.steps())));
          if (!r.servers().isEmpty()) {
            out.println("Servers, as read from them at the end:");
            for (ServerState s : r.servers()) {
              out.println("  " + s.name() + " (" + s.address() + "): " + s.describe());
            }
          }
          if (r.warning() != null) {
            out.println("WARNING: " + r.warning());
          }
          if (!r.manualSteps().isEmpty()) {
            out.println("Left to do by hand:");
            int i = 1;
            for (String step : r.manualSteps()) {
              out.println("  " + (i++) + ". " + step);
            }
          }
        }

        @Override
        public Map<String, Object> json(FailoverResult result) {
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("failover", result);
          return json;
        }
      };

  private static List<String> timings(List<StepTiming> steps) {
    List<String> parts = new ArrayList<>();
    for (StepTiming s : steps) {
      parts.add(s.step() + " " + s.duration().toMillis() + " ms");
    }
    return parts;
  }
}
