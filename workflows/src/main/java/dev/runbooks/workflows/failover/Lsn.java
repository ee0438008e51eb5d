package dev.runbooks.workflows.failover;

/** PostgreSQL WAL positions ({@code 0/3000148}) as numbers, for comparisons in workflow code. */
public final class Lsn {
  /** The byte position of {@code X/Y}; -1 for null. */
  public static long parse(String lsn) {
    if (lsn == null) {
      return -1;
    }
    int slash = lsn.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("expected a WAL position like 0/3000148, got " + lsn);
    }
    return (Long.parseLong(lsn.substring(0, slash), 16) << 32)
        | Long.parseLong(lsn.substring(slash + 1), 16);
  }

  /** {@code 1.5 MB}, {@code 120 B}. */
  public static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  private Lsn() {}
}
