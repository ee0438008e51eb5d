package dev.runbooks.workflows.failover;

import java.util.Objects;

/**
 * The answer of several attempts to reach the primary before an unplanned failover.
 *
 * @param down no attempt got an answer
 * @param lastError what the last failed attempt said; empty when one succeeded
 */
public record PrimaryProbe(boolean down, int attempts, String lastError) {
  public PrimaryProbe {
    Objects.requireNonNull(lastError, "lastError");
  }
}
