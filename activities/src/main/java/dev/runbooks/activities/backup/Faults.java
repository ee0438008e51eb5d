package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.postgres.SqlFaults;
import dev.runbooks.pgtools.MissingPostgresException;
import dev.runbooks.workflows.shared.FailureType;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.sql.SQLException;

/**
 * Turns what went wrong into what an activity throws: a permanent fault into a non-retryable {@link
 * ApplicationFailure} of its type, a transient one into a {@link TransientBackupException} that
 * Temporal retries. Every message says which backup of which target.
 */
public final class Faults {
  private Faults() {}

  /** Whether the server said the database does not exist. */
  static boolean noSuchDatabase(SQLException e) {
    return SqlFaults.permanentType(e) == FailureType.NOT_FOUND;
  }

  /** Repository work that returns a value. */
  @FunctionalInterface
  public interface RepositoryCall<T> {
    T call() throws IOException;
  }

  /** Repository work that returns nothing. */
  @FunctionalInterface
  public interface RepositoryRun {
    void run() throws IOException;
  }

  /**
   * Runs {@code work} on {@code repository}, turning its faults into what an activity throws: a
   * permanent one non-retryable, an I/O one by {@link #repositoryFault}, both prefixed with {@code
   * context}.
   */
  public static <T> T call(String context, BackupRepository repository, RepositoryCall<T> work) {
    try {
      return work.call();
    } catch (PermanentBackupException e) {
      throw permanent(context, e);
    } catch (MissingPostgresException e) {
      // A program the worker's bin directory lacks: no retry installs it.
      throw FailureType.BAD_INPUT.failure(
          context + ": " + e.getMessage() + " Then restart the worker.");
    } catch (IOException e) {
      throw repositoryFault(context, repository, e);
    }
  }

  /** As {@link #call}, for work that returns nothing. */
  public static void run(String context, BackupRepository repository, RepositoryRun work) {
    call(
        context,
        repository,
        () -> {
          work.run();
          return null;
        });
  }

  /** A permanent fault as a non-retryable failure, its message prefixed with {@code context}. */
  static ApplicationFailure permanent(String context, PermanentBackupException e) {
    String message = e.getMessage();
    return e.type().failure(message.startsWith(context) ? message : context + ": " + message);
  }

  /**
   * A repository fault: permanent (never retried, and saying what to do) when the repository's file
   * system is full, read-only or denies the worker; else one that may pass (a network file system's
   * hiccup, a 503), retried by Temporal.
   */
  static RuntimeException repositoryFault(
      String context, BackupRepository repository, IOException e) {
    ApplicationFailure permanent = permanentStorageFault(context, repository, e);
    if (permanent != null) {
      return permanent;
    }
    String message = context + ": " + e.getMessage();
    if (!message.contains(repository.describe())) {
      message += " (repository " + repository.describe() + ")";
    }
    if (!message.contains("retried")) {
      message += "; the activity will be retried";
    }
    return new TransientBackupException(message, e);
  }

  /** The non-retryable failure for a full, read-only or denied repository; null for others. */
  static ApplicationFailure permanentStorageFault(
      String context, BackupRepository repository, IOException e) {
    String where = " (" + e.getMessage() + ")";
    for (Throwable t = e; t != null; t = t.getCause()) {
      String reason =
          t instanceof FileSystemException f && f.getReason() != null
              ? f.getReason()
              : String.valueOf(t.getMessage());
      if (reason.contains("No space left on device") || reason.contains("Disk quota exceeded")) {
        return FailureType.STORAGE_FULL.failure(
            context
                + ": the backup repository "
                + repository.describe()
                + " is full"
                + where
                + ": free space there or point repository: at a larger file system, then run it"
                + " again");
      }
      if (reason.contains("Read-only file system")) {
        return FailureType.PERMISSION_DENIED.failure(
            context
                + ": the backup repository "
                + repository.describe()
                + " is on a read-only file system"
                + where
                + ": remount it read-write or point repository: at a writable directory, then run"
                + " it again");
      }
      if (t instanceof AccessDeniedException) {
        return FailureType.PERMISSION_DENIED.failure(
            context
                + ": the worker may not write to the backup repository "
                + repository.describe()
                + where
                + ": give the worker's user ownership of it (chown -R) or point repository: at a"
                + " directory it owns, then run it again");
      }
    }
    return null;
  }

  /**
   * A database fault by the one rule of {@link SqlFaults}: one that may pass (a refused or broken
   * connection, a server shutting down, a lock timeout) is retried by Temporal; one retrying cannot
   * change (a wrong password, a missing privilege or database, a refused statement) is a
   * non-retryable failure of its type.
   */
  public static RuntimeException sqlFault(String doing, SQLException e) {
    FailureType permanent = SqlFaults.permanentType(e);
    if (permanent != null) {
      return permanent.failure(doing + " failed: " + SqlFaults.describe(e));
    }
    return new TransientBackupException(
        doing
            + " failed: "
            + e.getMessage()
            + (e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")")
            + "; the activity will be retried",
        e);
  }
}
