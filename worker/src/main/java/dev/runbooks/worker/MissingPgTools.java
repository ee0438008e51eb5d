package dev.runbooks.worker;

import dev.runbooks.workflows.backup.BackupActivities;
import dev.runbooks.workflows.backup.RestoreActivities;
import dev.runbooks.workflows.migration.MigrationActivities;
import dev.runbooks.workflows.pitr.WalArchiverActivities;
import dev.runbooks.workflows.shared.FailureType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;

/**
 * Stands in for every activity that runs the PostgreSQL programs ({@code pg_dump}, {@code
 * pg_restore}) on a worker that found none: the worker still serves the other runbooks, and a
 * backup, restore or migration fails at its first such activity, non-retryable and saying what to
 * install, instead of waiting for activities nobody registered.
 */
final class MissingPgTools implements InvocationHandler {
  /** The activity interfaces whose implementations need the PostgreSQL programs. */
  static final List<Class<?>> NEEDING_TOOLS =
      List.of(
          BackupActivities.class,
          RestoreActivities.class,
          MigrationActivities.class,
          WalArchiverActivities.class);

  private final String problem;

  private MissingPgTools(String problem) {
    this.problem = problem;
  }

  /**
   * One object implementing every interface in {@link #NEEDING_TOOLS}, each method failing.
   *
   * @param problem why the tools were not found and how to install them
   */
  static Object standIn(String problem) {
    return Proxy.newProxyInstance(
        MissingPgTools.class.getClassLoader(),
        NEEDING_TOOLS.toArray(Class<?>[]::new),
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
    throw FailureType.BAD_INPUT.failure(
        "this worker has no PostgreSQL client tools, so it cannot run "
            + method.getName()
            + " (backups, restores and migrations need pg_dump and pg_restore): "
            + problem
            + "; then restart the worker");
  }
}
