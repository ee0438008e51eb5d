package dev.runbooks.activities.pitr;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Names of WAL files other than segments, and the contents of timeline history files. */
public final class WalFiles {
  private static final Pattern HISTORY = Pattern.compile("[0-9A-F]{8}\\.history");

  private WalFiles() {}

  public static boolean isHistoryName(String name) {
    return name != null && HISTORY.matcher(name).matches();
  }

  /** The timeline of {@code 00000002.history}. */
  public static int historyTimeline(String name) {
    if (!isHistoryName(name)) {
      throw new IllegalArgumentException(
          "expected a timeline history file name like 00000002.history, found " + name);
    }
    return Integer.parseUnsignedInt(name.substring(0, 8), 16);
  }

  /** One line of a history file: {@code parent} was left at {@code switchLsn}. */
  public record HistoryEntry(int parent, long switchLsn) {}

  /**
   * The entries of a history file's text ({@code 1\t0/3000158\tno recovery target specified}),
   * oldest first; the last one is where the file's own timeline branched from its parent.
   */
  public static List<HistoryEntry> parseHistory(String text) {
    List<HistoryEntry> entries = new ArrayList<>();
    for (String line : text.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      String[] fields = trimmed.split("\\s+", 3);
      if (fields.length < 2) {
        throw new IllegalArgumentException("not a timeline history line: " + line);
      }
      entries.add(new HistoryEntry(Integer.parseInt(fields[0]), WalSegment.parseLsn(fields[1])));
    }
    return entries;
  }

  /** The last entry: where the timeline branched. */
  public static Optional<HistoryEntry> branch(String text) {
    List<HistoryEntry> entries = parseHistory(text);
    return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(entries.size() - 1));
  }
}
