package dev.runbooks.worker;

import java.util.List;

/**
 * The activity objects a worker registers, built in one place from the configuration: the
 * composition root of everything with side effects.
 */
public record Activities(List<Object> implementations) {
  public Activities {
    implementations = List.copyOf(implementations);
  }
}
