package dev.runbooks.activities.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.List;
import java.util.Map;

/**
 * The file as written: every leaf is text so that the sections' checks, not Jackson, word the
 * messages about values. Jackson still reports unknown keys and misplaced lists or mappings, naming
 * the allowed keys from these records' components.
 */
record RawConfig(
    Map<String, RawConfig.Target> targets,
    String repository,
    String secrets,
    String encryption,
    RawConfig.Check check,
    RawConfig.Retention retention,
    String backupFreshness,
    String walFreshness,
    String payloadEncryption) {

  record Target(
      Endpoint primary,
      List<Replica> replicas,
      Admin admin,
      Migrations migrations,
      String production,
      String fourEyes,
      String approvalTimeout,
      Retention retention,
      String backupFreshness,
      Failover failover,
      Rotation rotation,
      List<Member> members,
      String walFreshness) {}

  record Rotation(List<String> allowRoleAttributes) {}

  /**
   * {@code migrations: path/to/dir}, or {@code migrations: { path: ..., irreversible: ["1.8",
   * "1.9+"] }} for a set whose scripts cannot carry the irreversible marker (a third party's).
   */
  record Migrations(String path, List<String> irreversible) {
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Migrations of(String path) {
      return new Migrations(path, null);
    }
  }

  record Failover(
      List<String> fenceRoles,
      String approval,
      String catchUpTimeout,
      String maxLagBytes,
      List<String> hook,
      String endpointSecret,
      Pooler pooler) {}

  record Pooler(String host, String port, Admin admin, String ini) {}

  record Endpoint(String host, String port, String database, String sslmode) {}

  record Replica(String name, String host, String port) {}

  record Member(String name, String host, String port, String database, String sslmode) {}

  record Admin(String secret, String user) {}

  record Check(
      String longTransaction,
      String lagWarnBytes,
      String lagCriticalBytes,
      String slotRetainedWarnBytes) {}

  record Retention(String keepLast, String keepDaily, String keepWeekly) {}
}
