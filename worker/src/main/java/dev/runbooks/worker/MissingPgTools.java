package dev.runbooks.worker;

import dev.runbooks.workflows.backup.BackupActivities;
import dev.runbooks.workflows.backup.RestoreActivities;
import dev.runbooks.workflows.migration.MigrationActivities;
import dev.runbooks.workflows.pitr.PhysicalBackupActivities;
import dev.runbooks.workflows.pitr.PitrDrillActivities;
import dev.runbooks.workflows.pitr.PitrRestoreActivities;
import dev.runbooks.workflows.pitr.WalArchiverActivities;
import dev.runbooks.workflows.shared.FailureType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stands in for every activity that runs the PostgreSQL programs ({@code pg_dump}, {@code
 * pg_restore}, {@code pg_receivewal}, {@code pg_basebackup}, the server itself for a point-in-time
 * restore) on a worker that found none: the worker still serves the other runbooks, and a backup,
 * restore, migration or PITR run fails at its first such activity, non-retryable and naming the
 * programs and what to install, instead of waiting for activities nobody registered.
 */
final class MissingPgTools implements InvocationHandler {
  /** What a worker lacks for an activity interface, and why that interface needs it. */
  private record Needs(String lacking, String why) {}

  /** The activity interfaces whose implementations need the PostgreSQL programs, and which ones. */
  static final Map<Class<?>, Needs> NEEDING_TOOLS = needingTools();

  private final String problem;

  private MissingPgTools(String problem) {
    this.problem = problem;
  }

  private static Map<Class<?>, Needs> needingTools() {
    Map<Class<?>, Needs> needs = new LinkedHashMap<>();
    String client = "no PostgreSQL client tools";
    String server = "no PostgreSQL server programs";
    needs.put(BackupActivities.class, new Needs(client, "backups need pg_dump"));
    needs.put(RestoreActivities.class, new Needs(client, "restores need pg_restore"));
    needs.put(MigrationActivities.class, new Needs(client, "migrations need pg_dump"));
    needs.put(WalArchiverActivities.class, new Needs(client, "the archiver needs pg_receivewal"));
    needs.put(
        PhysicalBackupActivities.class, new Needs(client, "physical backups need pg_basebackup"));
    needs.put(
        PitrRestoreActivities.class,
        new Needs(
            server,
            "a point-in-time restore runs postgres, pg_ctl and pg_waldump on the worker's host"));
    needs.put(
        PitrDrillActivities.class,
        new Needs(
            server,
            "a PITR drill runs postgres, pg_ctl, pg_verifybackup and pg_amcheck on the worker's"
                + " host"));
    return Map.copyOf(needs);
  }

  /**
   * One object implementing every interface in {@link #NEEDING_TOOLS}, each method failing.
   *
   * @param problem why the tools were not found and how to install them
   */
  static Object standIn(String problem) {
    return Proxy.newProxyInstance(
        MissingPgTools.class.getClassLoader(),
        List.copyOf(NEEDING_TOOLS.keySet()).toArray(Class<?>[]::new),
        new MissingPgTools(problem));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) {
    if (method.getDeclaringClass() == Object.class) {
      return switch (method.getName()) {
        case "equals" -> proxy == args[0];
        case "hashCode" -> System.identityHashCode(proxy);
        default -> "MissingPgTools[" + problem + "]";
      };
    }
    Needs needs = NEEDING_TOOLS.get(method.getDeclaringClass());
    throw FailureType.BAD_INPUT.failure(
        "this worker has "
            + needs.lacking()
            + ", so it cannot run "
            + method.getName()
            + " ("
            + needs.why()
            + "): "
            + problem
            + "; then restart the worker");
  }
}
