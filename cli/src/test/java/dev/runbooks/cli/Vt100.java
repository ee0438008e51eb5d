package dev.runbooks.cli;

import java.io.Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A small VT100 screen of fixed size with a scrollback, fed the characters a program writes to its
 * terminal through a pseudo-terminal: printable characters with automatic wrap at the right margin,
 * CR, LF (as CR LF, the line discipline's default; scrolling the top row into the scrollback at the
 * bottom), BS, and the CSI sequences for cursor movement (A B C D E F G H), erasing (J, K, 2K; a
 * screen erased from its top-left corner is saved to the scrollback first, as tmux does) and
 * attributes (m, ignored). Anything else is an error, so a test learns when a program sends what
 * this model cannot judge.
 */
final class Vt100 extends Writer {
  final int columns;
  final int rows;
  private final char[][] screen;
  private final List<String> scrollback = new ArrayList<>();
  private int row;
  private int column;
  private boolean wrapPending;
  private final StringBuilder escape = new StringBuilder();

  Vt100(int columns, int rows) {
    this.columns = columns;
    this.rows = rows;
    this.screen = new char[rows][columns];
    for (char[] line : screen) {
      Arrays.fill(line, ' ');
    }
  }

  /** The rows that scrolled off the top, oldest first, trailing blanks removed. */
  synchronized List<String> scrollback() {
    return List.copyOf(scrollback);
  }

  /** The screen's rows, trailing blanks removed. */
  synchronized List<String> screen() {
    List<String> lines = new ArrayList<>();
    for (char[] line : screen) {
      lines.add(new String(line).stripTrailing());
    }
    return lines;
  }

  /** Scrollback and screen, top to bottom. */
  synchronized List<String> all() {
    List<String> lines = new ArrayList<>(scrollback);
    lines.addAll(screen());
    return lines;
  }

  @Override
  public synchronized void write(char[] text, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      accept(text[i]);
    }
  }

  private void accept(char c) {
    if (escape.length() > 0) {
      escape.append(c);
      if (escape.length() == 2) {
        if (c != '[') {
          throw new IllegalStateException("escape sequence not modelled: ESC " + c);
        }
      } else if (c >= 0x40 && c <= 0x7e) {
        csi(escape.substring(2, escape.length() - 1), c);
        escape.setLength(0);
      }
      return;
    }
    switch (c) {
      case '\033' -> escape.append(c);
      case '\r' -> {
        column = 0;
        wrapPending = false;
      }
      case '\n' -> {
        // As a pseudo-terminal's line discipline sends it on by default (ONLCR): CR LF.
        column = 0;
        lineFeed();
      }
      case '\b' -> {
        column = Math.max(0, column - 1);
        wrapPending = false;
      }
      default -> {
        if (c < ' ') {
          throw new IllegalStateException("control character not modelled: " + (int) c);
        }
        if (wrapPending) {
          column = 0;
          lineFeed();
        }
        screen[row][column] = c;
        if (column == columns - 1) {
          wrapPending = true;
        } else {
          column++;
        }
      }
    }
  }

  private void lineFeed() {
    wrapPending = false;
    if (row < rows - 1) {
      row++;
      return;
    }
    scrollback.add(new String(screen[0]).stripTrailing());
    System.arraycopy(screen, 1, screen, 0, rows - 1);
    screen[rows - 1] = new char[columns];
    Arrays.fill(screen[rows - 1], ' ');
  }

  private void csi(String parameters, char command) {
    if (command == 'm') {
      return;
    }
    String[] parts = parameters.isEmpty() ? new String[0] : parameters.split(";");
    int n = parts.length == 0 || parts[0].isEmpty() ? 1 : Integer.parseInt(parts[0]);
    wrapPending = false;
    switch (command) {
      case 'A' -> row = Math.max(0, row - n);
      case 'B' -> row = Math.min(rows - 1, row + n);
      case 'C' -> column = Math.min(columns - 1, column + n);
      case 'D' -> column = Math.max(0, column - n);
      case 'E' -> {
        row = Math.min(rows - 1, row + n);
        column = 0;
      }
      case 'F' -> {
        row = Math.max(0, row - n);
        column = 0;
      }
      case 'G' -> column = Math.min(columns - 1, n - 1);
      case 'H' -> {
        row = Math.min(rows - 1, n - 1);
        int m = parts.length < 2 ? 1 : Integer.parseInt(parts[1]);
        column = Math.min(columns - 1, m - 1);
      }
      case 'J' -> {
        int mode = parameters.isEmpty() ? 0 : Integer.parseInt(parameters);
        if (mode != 0) {
          throw new IllegalStateException("erase mode not modelled: " + mode + "J");
        }
        if (row == 0 && column == 0) {
          // As tmux does: a screen erased from its top-left corner is saved to the scrollback.
          for (char[] line : screen) {
            scrollback.add(new String(line).stripTrailing());
          }
        }
        Arrays.fill(screen[row], column, columns, ' ');
        for (int r = row + 1; r < rows; r++) {
          Arrays.fill(screen[r], ' ');
        }
      }
      case 'K' -> {
        int mode = parameters.isEmpty() ? 0 : Integer.parseInt(parameters);
        Arrays.fill(screen[row], mode == 2 ? 0 : column, columns, ' ');
      }
      default -> throw new IllegalStateException("CSI " + parameters + command + " not modelled");
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
