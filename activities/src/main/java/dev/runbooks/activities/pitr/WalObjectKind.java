package dev.runbooks.activities.pitr;

/** The three kinds of file a WAL archive holds. */
public enum WalObjectKind {
  /** A complete segment, never rewritten once stored. */
  SEGMENT,
  /** The segment being written, zero-padded; replaced as it grows, removed once complete. */
  PARTIAL,
  /** A timeline history file ({@code 00000002.history}). */
  HISTORY
}
