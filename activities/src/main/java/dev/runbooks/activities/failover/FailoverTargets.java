package dev.runbooks.activities.failover;

import dev.runbooks.activities.config.Endpoint;
import dev.runbooks.activities.config.FailoverConfig;
import dev.runbooks.activities.config.MemberConfig;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.config.TargetConfig;
import dev.runbooks.workflows.shared.FailureType;

/** What the failover activities need to know about a target besides how to connect to it. */
public interface FailoverTargets {
  /** The name the configured {@code primary:} goes by in results and messages. */
  String PRIMARY = TargetConfig.PRIMARY;

  FailoverConfig settings(String target);

  /** Where {@code server} (any member's name) is, as the worker reaches it. */
  Endpoint endpoint(String target, String server);

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
