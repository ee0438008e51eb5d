package dev.runbooks.activities.backup;

import dev.runbooks.workflows.shared.FailureType;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The names the backup activities take from a workflow, checked where they enter: a backup id
 * becomes a directory in the repository, a database name goes into SQL and a {@code pg_restore}
 * argument.
 */
public final class BackupNames {
  /** {@code 20261124T020000Z-1a2b}: letters, digits and '-', at most 64. */
  private static final Pattern BACKUP_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,63}");

  /** Letters, digits, '_' and '-', at most 63 (PostgreSQL's limit), so no quoting can go wrong. */
  private static final Pattern DATABASE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]{0,62}");

  private BackupNames() {}

  /**
   * {@code id} when it is a valid backup id.
   *
   * @throws io.temporal.failure.ApplicationFailure BAD_INPUT otherwise
   */
  public static String backupId(String id) {
    if (id == null || !BACKUP_ID.matcher(id).matches()) {
      throw FailureType.BAD_INPUT.failure(
          "expected a backup id such as 20261124T020000Z-1a2b (letters, digits and '-', at most"
              + " 64), found "
              + (id == null ? "none" : "\"" + printable(id) + "\"")
              + ": copy the id from runbook backups --target T");
    }
    return id;
  }

  /**
   * {@code name} when it is a database a restore may create.
   *
   * @throws io.temporal.failure.ApplicationFailure BAD_INPUT otherwise
   */
  public static String restoreDatabase(String name) {
    if (name == null || !DATABASE.matcher(name).matches()) {
      throw FailureType.BAD_INPUT.failure(
          "expected a database name for the restore of letters, digits, '_' and '-' (at most 63),"
              + " found "
              + (name == null ? "none" : "\"" + printable(name) + "\"")
              + ": choose a name such as orders_restored");
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.equals("postgres") || lower.startsWith("template")) {
      throw FailureType.BAD_INPUT.failure(
          "a restore never writes into "
              + name
              + ", a database PostgreSQL itself relies on: choose a new name such as"
              + " orders_restored");
    }
    return name;
  }

  /** At most 80 characters, control characters shown as '?', for messages. */
  private static String printable(String text) {
    String cut = text.length() > 80 ? text.substring(0, 80) + "..." : text;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}
