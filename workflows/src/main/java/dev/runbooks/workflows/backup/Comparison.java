package dev.runbooks.workflows.backup;

import java.util.List;

/** How a restored database compares with its backup's manifest; empty differences mean a match. */
public record Comparison(int tablesCompared, long rowsCompared, List<String> differences) {
  public Comparison {
    differences = List.copyOf(differences);
  }

  public boolean matches() {
    return differences.isEmpty();
  }
}
