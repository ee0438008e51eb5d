package dev.runbooks.cli;

import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import org.jline.terminal.Size;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;

/**
 * A frame of lines redrawn in place by screen rows. Every line is cut to the terminal's width (with
 * an ellipsis) and the frame to its height, so each line takes exactly one row and the cursor goes
 * back up exactly over what was drawn: nothing of a previous frame is left behind in the
 * scrollback, however long a detail is or however long the run waits. The size is read at every
 * frame.
 */
final class LiveView {
  private final PrintWriter out;
  private final Screen screen;
  private final String ellipsis;

  /** The lines of the frame on the screen now, as drawn. */
  private List<AttributedString> shown = List.of();

  LiveView(PrintWriter out, Screen screen, Charset charset) {
    this.out = out;
    this.screen = screen;
    this.ellipsis = charset.newEncoder().canEncode('\u2026') ? "\u2026" : "...";
  }

  /** Replaces the frame on the screen with {@code frame}, fitted to the terminal. */
  void draw(List<AttributedString> frame) {
    Size size = screen.size().get();
    List<AttributedString> fitted = fit(frame, size.getColumns(), size.getRows(), ellipsis);
    int rows = rowsShown(size.getColumns());
    StringBuilder text = new StringBuilder(up(rows));
    for (AttributedString line : fitted) {
      text.append(screen.color() ? line.toAnsi() : line.toString()).append(ERASE_LINE).append('\n');
    }
    text.append(blank(rows - fitted.size()));
    out.print(text);
    out.flush();
    shown = fitted;
  }

  /** Removes the frame from the screen, so what follows is printed where it began. */
  void clear() {
    int rows = rowsShown(screen.size().get().getColumns());
    out.print(up(rows) + blank(rows));
    out.flush();
    shown = List.of();
  }

  /** Erases from the cursor to the end of its row. */
  private static final String ERASE_LINE = "\033[K";

  /**
   * The rows the frame on the screen takes, counted at the width now: a terminal that reflows a
   * narrowed window wraps the old lines.
   */
  private int rowsShown(int columns) {
    int rows = 0;
    for (AttributedString line : shown) {
      rows += Math.max(1, (line.columnLength() + columns - 1) / Math.max(1, columns));
    }
    return rows;
  }

  /** To the first column, {@code rows} up. */
  private static String up(int rows) {
    return rows <= 0 ? "\r" : "\r\033[" + rows + "A";
  }

  /**
   * Erases the next {@code rows} rows, left over from a taller frame, and comes back. Row by row,
   * not "erase to the end of the screen": tmux saves a screen erased from its top-left corner into
   * the scrollback, which would keep a copy of every frame drawn at the top.
   */
  private static String blank(int rows) {
    if (rows <= 0) {
      return "";
    }
    return "\033[2K\n".repeat(rows) + "\033[" + rows + "A";
  }

  /**
   * {@code frame} cut to fit {@code columns} x {@code rows}: at most {@code rows - 1} lines (the
   * cursor's row stays free, so the screen never scrolls), each at most {@code columns - 1} wide. A
   * frame too tall keeps its first line and its last ones (the step running, the gate), with a line
   * saying how many were left out.
   */
  static List<AttributedString> fit(
      List<AttributedString> frame, int columns, int rows, String ellipsis) {
    int height = Math.max(1, rows - 1);
    List<AttributedString> lines = frame;
    if (frame.size() > height) {
      lines = new ArrayList<>();
      lines.add(frame.get(0));
      if (height >= 2) {
        int tail = height - 2;
        lines.add(
            new AttributedString(
                "  "
                    + ellipsis
                    + " "
                    + (frame.size() - 1 - tail)
                    + " more lines: the terminal is too small; runbook status shows them all"));
        lines.addAll(frame.subList(frame.size() - tail, frame.size()));
      }
    }
    int width = Math.max(1, columns - 1);
    List<AttributedString> cut = new ArrayList<>();
    for (AttributedString line : lines) {
      cut.add(cut(line, width, ellipsis));
    }
    return cut;
  }

  /** {@code line} when it fits in {@code width} columns, else its start and an ellipsis. */
  static AttributedString cut(AttributedString line, int width, String ellipsis) {
    if (line.columnLength() <= width) {
      return line;
    }
    int keep = Math.max(0, width - ellipsis.length());
    return new AttributedStringBuilder()
        .append(line.columnSubSequence(0, keep))
        .append(ellipsis)
        .toAttributedString();
  }
}
