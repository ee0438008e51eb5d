package dev.runbooks.workflows.migration;

import java.util.List;

/**
 * @param baseline what the schema was compared with, in words
 * @param differences the drift, one line per statement; empty when there is none
 * @param acceptedBecause the operator's reason when there was drift; null otherwise
 */
public record DriftResult(String baseline, List<String> differences, String acceptedBecause) {
  public DriftResult {
    differences = List.copyOf(differences);
  }

  public String summary() {
    if (differences.isEmpty()) {
      return "schema as " + baseline;
    }
    return "schema drift from "
        + baseline
        + " accepted ("
        + acceptedBecause
        + "): "
        + String.join("; ", differences);
  }
}
