package dev.runbooks.cli;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/**
 * Colours by severity and outcome, so {@code [CRITICAL]} does not look like {@code [OK]}: red for
 * what failed, yellow for what was undone or needs a look, green for what is done, cyan for what
 * runs. Only words in brackets ({@code [FAILED]}) and an ending's outcome ({@code : ROLLED_BACK
 * (exit 3)}) are coloured; the rest of a line stays as it is.
 */
final class Palette {
  private static final AttributedStyle RED = AttributedStyle.BOLD.foreground(AttributedStyle.RED);
  private static final AttributedStyle YELLOW =
      AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW);
  private static final AttributedStyle GREEN =
      AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN);
  private static final AttributedStyle CYAN = AttributedStyle.BOLD.foreground(AttributedStyle.CYAN);
  private static final AttributedStyle FAINT = AttributedStyle.DEFAULT.faint();

  private static final Map<String, AttributedStyle> STYLES =
      Map.ofEntries(
          Map.entry("FAILED", RED),
          Map.entry("CRITICAL", RED),
          Map.entry("ERROR", RED),
          Map.entry("TIMED_OUT", RED),
          Map.entry("TERMINATED", RED),
          Map.entry("WARNING", YELLOW),
          Map.entry("WARN", YELLOW),
          Map.entry("COMPENSATED", YELLOW),
          Map.entry("ROLLED_BACK", YELLOW),
          Map.entry("ABORTED", YELLOW),
          Map.entry("CANCELED", YELLOW),
          Map.entry("DONE", GREEN),
          Map.entry("OK", GREEN),
          Map.entry("SUCCEEDED", GREEN),
          Map.entry("COMPLETED", GREEN),
          Map.entry("RUNNING", CYAN),
          Map.entry("SKIPPED", FAINT),
          Map.entry("PENDING", FAINT));

  /** {@code [WORD]}, or an ending's {@code : WORD (exit N)}. */
  private static final Pattern TAG =
      Pattern.compile("\\[([A-Z_]+)\\]|(?<=: {1,10})([A-Z_]+)(?= \\(exit)");

  private Palette() {}

  /** {@code line} with its states and outcomes coloured. */
  static AttributedString paint(String line) {
    AttributedStringBuilder painted = new AttributedStringBuilder();
    Matcher m = TAG.matcher(line);
    int at = 0;
    while (m.find()) {
      String word = m.group(1) != null ? m.group(1) : m.group(2);
      AttributedStyle style = STYLES.get(word);
      if (style == null) {
        continue;
      }
      painted.append(line, at, m.start());
      painted.styled(style, m.group());
      at = m.end();
    }
    painted.append(line.substring(at));
    return painted.toAttributedString();
  }

  /** {@code line} as the screen shows it: coloured, or as it is. */
  static String render(String line, boolean color) {
    return color ? paint(line).toAnsi() : line;
  }
}
