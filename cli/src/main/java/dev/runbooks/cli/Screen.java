package dev.runbooks.cli;

import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * Where live output goes: a terminal the view redraws in place (its size read at every frame, so a
 * resized window is followed), or a pipe that gets plain lines; and whether it may use colour.
 *
 * @param live whether output is a terminal that is redrawn
 * @param color whether to colour states and outcomes (a terminal, without {@code NO_COLOR} or
 *     {@code --no-color})
 * @param size the terminal's columns and rows now
 */
record Screen(boolean live, boolean color, Supplier<Size> size) {
  /** When a terminal does not say its size. */
  static final Size FALLBACK = new Size(80, 24);

  /** A pipe or a file: plain lines, no colour. */
  static Screen plain() {
    return new Screen(false, false, () -> FALLBACK);
  }

  /**
   * @param terminal whether stdout is a terminal
   * @param noColor whether {@code --no-color} was given
   */
  static Screen of(Map<String, String> env, boolean terminal, boolean noColor) {
    if (!terminal) {
      return plain();
    }
    boolean color = !noColor && env.getOrDefault("NO_COLOR", "").isEmpty();
    return new Screen(true, color, size(env));
  }

  /**
   * The terminal's size: {@code COLUMNS} and {@code LINES} when both are set in the environment (as
   * Python's get_terminal_size does; a wrapper or a test fixes the size so), else asked of the
   * terminal itself through JLine, once the first frame needs it.
   */
  static Supplier<Size> size(Map<String, String> env) {
    Size fixed = fixed(env);
    if (fixed != null) {
      return () -> fixed;
    }
    return () -> {
      Terminal terminal = SystemTerminal.get();
      Size now = terminal == null ? FALLBACK : terminal.getSize();
      return now.getColumns() <= 0 || now.getRows() <= 0 ? FALLBACK : now;
    };
  }

  private static Size fixed(Map<String, String> env) {
    try {
      int columns = Integer.parseInt(env.getOrDefault("COLUMNS", ""));
      int lines = Integer.parseInt(env.getOrDefault("LINES", ""));
      return columns > 0 && lines > 0 ? new Size(columns, lines) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The process's terminal, opened on first use: only a live view pays for it. */
  private static final class SystemTerminal {
    /** Held here: java.util.logging keeps only weak references to loggers and their levels. */
    private static final Logger JLINE_LOG = Logger.getLogger("org.jline");

    private static Terminal terminal;
    private static boolean tried;

    /** The terminal, or null when none could be opened (the view then uses the fallback size). */
    static synchronized Terminal get() {
      if (!tried) {
        tried = true;
        // JLine says through java.util.logging when it falls back to a dumb terminal: not news
        // for the user's screen, where the view just uses the fallback size.
        JLINE_LOG.setLevel(Level.OFF);
        try {
          terminal = TerminalBuilder.builder().system(true).dumb(true).build();
        } catch (IOException | RuntimeException e) {
          terminal = null;
        }
      }
      return terminal;
    }

    private SystemTerminal() {}
  }
}
