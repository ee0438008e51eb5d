package dev.runbooks.activities.config;

/** The thresholds of {@code check:}, with the warning level at or below the critical one. */
final class CheckSection {
  private final Values values;

  CheckSection(Values values) {
    this.values = values;
  }

  CheckSettings check(RawConfig.Check raw) {
    if (raw == null) {
      return CheckSettings.defaults();
    }
    CheckSettings check =
        new CheckSettings(
            values.duration(
                "check.longTransaction",
                raw.longTransaction(),
                CheckSettings.DEFAULT_LONG_TRANSACTION),
            values.bytes(
                "check.lagWarnBytes", raw.lagWarnBytes(), CheckSettings.DEFAULT_LAG_WARN_BYTES),
            values.bytes(
                "check.lagCriticalBytes",
                raw.lagCriticalBytes(),
                CheckSettings.DEFAULT_LAG_CRITICAL_BYTES),
            values.bytes(
                "check.slotRetainedWarnBytes",
                raw.slotRetainedWarnBytes(),
                CheckSettings.DEFAULT_SLOT_RETAINED_WARN_BYTES));
    if (check.lagWarnBytes() > check.lagCriticalBytes()) {
      throw values.error(
          "check.lagWarnBytes",
          check.lagWarnBytes()
              + " is above lagCriticalBytes ("
              + check.lagCriticalBytes()
              + "); a warning must come before the critical level",
          "set lagWarnBytes at or below lagCriticalBytes.");
    }
    return check;
  }
}
