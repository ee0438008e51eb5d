package dev.runbooks.workflows.check;

import java.time.Duration;
import java.util.Objects;

/**
 * The input of every check activity.
 *
 * @param target the configured target's name; the activity resolves it to connections
 * @param longTransaction transactions open longer than this are reported
 */
public record CheckInput(String target, Duration longTransaction) {
  public CheckInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(longTransaction, "longTransaction");
  }
}
