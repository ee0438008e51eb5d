package dev.runbooks.workflows.pitr;

import java.util.Objects;

/**
 * Where a point-in-time restore stops: a time ({@code 2026-12-03T14:02:00Z}), an LSN ({@code
 * 0/3000148}), a named restore point, or the end of the archive.
 *
 * @param value the time, LSN or name; empty for {@link Kind#LATEST}
 */
public record PitrTarget(Kind kind, String value) {
  public enum Kind {
    TIME,
    LSN,
    RESTORE_POINT,
    LATEST
  }

  public PitrTarget {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
  }

  public static PitrTarget latest() {
    return new PitrTarget(Kind.LATEST, "");
  }

  /** For messages: {@code time 2026-12-03T14:02:00Z}, {@code restore point before_upgrade}. */
  public String describe() {
    return switch (kind) {
      case TIME -> "time " + value;
      case LSN -> "LSN " + value;
      case RESTORE_POINT -> "restore point " + value;
      case LATEST -> "the end of the archive";
    };
  }
}
