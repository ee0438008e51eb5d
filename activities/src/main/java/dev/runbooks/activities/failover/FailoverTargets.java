package dev.runbooks.activities.failover;

import dev.runbooks.activities.config.Endpoint;
import dev.runbooks.activities.config.FailoverConfig;
import dev.runbooks.activities.config.MemberConfig;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.config.TargetConfig;
import dev.runbooks.workflows.shared.FailureType;
import java.util.List;

/** What the failover activities need to know about a target besides how to connect to it. */
public interface FailoverTargets {
  FailoverConfig settings(String target);

  /** Where {@code server} (any member's name) is, as the worker reaches it. */
  Endpoint endpoint(String target, String server);

  /** Every member's name in configuration order, the configured primary first. */
  List<String> members(String target);

  /**
   * The member a failover input names, or the configured primary's name when it names none (runs
   * from before members were resolved).
   */
  default String memberOrConfiguredPrimary(String target, String member) {
    return member != null ? member : members(target).get(0);
  }

  /** From {@code runbooks.yaml}. */
  static FailoverTargets fromConfig(RunbooksConfig config) {
    return new FailoverTargets() {
      @Override
      public FailoverConfig settings(String target) {
        return target(target).failover();
      }

      @Override
      public Endpoint endpoint(String target, String server) {
        TargetConfig t = target(target);
        return t.member(server)
            .map(MemberConfig::endpoint)
            .orElseThrow(
                () ->
                    FailureType.BAD_INPUT.failure(
                        "target "
                            + target
                            + " has no server \""
                            + server
                            + "\"; its servers: "
                            + String.join(", ", t.memberNames())
                            + ". Fix targets."
                            + target
                            + " in "
                            + config.file()
                            + "."));
      }

      @Override
      public List<String> members(String target) {
        return target(target).memberNames();
      }

      private TargetConfig target(String name) {
        try {
          return config.target(name);
        } catch (dev.runbooks.activities.config.ConfigException e) {
          throw FailureType.BAD_INPUT.failure(e.getMessage());
        }
      }
    };
  }
}
