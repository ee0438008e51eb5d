package dev.runbooks.workflows.backup;

/**
 * Which backups to keep: the newest {@code keepLast}, the newest of each of the last {@code
 * keepDaily} days, and the newest of each of the last {@code keepWeekly} ISO weeks (UTC). A backup
 * any rule keeps is kept. The newest verified backup and backups a running migration references are
 * always kept. Zero disables a rule.
 */
public record RetentionPolicy(int keepLast, int keepDaily, int keepWeekly) {
  public static RetentionPolicy keepEverything() {
    return new RetentionPolicy(Integer.MAX_VALUE, 0, 0);
  }
}
