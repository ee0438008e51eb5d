package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.jline.terminal.Size;
import org.jline.utils.AttributedString;
import org.junit.jupiter.api.Test;

/** The live view on a modelled terminal: frames that shrink, grow, and outgrow the window. */
class LiveViewTest {
  private static List<AttributedString> lines(String... lines) {
    return java.util.Arrays.stream(lines).map(AttributedString::new).toList();
  }

  @Test
  void aShorterFrameLeavesNothingOfTheLongerOneAndTheRowsAboveAreKept() {
    Vt100 terminal = new Vt100(40, 10);
    PrintWriter out = new PrintWriter(terminal, true);
    out.print("$ runbook watch x\n");
    LiveView view =
        new LiveView(out, new Screen(true, false, () -> new Size(40, 10)), StandardCharsets.UTF_8);
    view.draw(lines("title", "one", "two", "three", "four"));
    view.draw(lines("title", "done"));
    assertEquals(
        List.of("$ runbook watch x", "title", "done", "", "", "", "", "", "", ""),
        terminal.screen());
    view.clear();
    out.print("the end\n");
    out.flush();
    assertEquals("the end", terminal.screen().get(1));
    assertEquals(List.of(), terminal.scrollback());
  }

  @Test
  void framesAtTheTopOfTheScreenAreNotSavedToTheScrollback() {
    Vt100 terminal = new Vt100(40, 6);
    PrintWriter out = new PrintWriter(terminal, true);
    AtomicReference<Size> size = new AtomicReference<>(new Size(40, 6));
    LiveView view = new LiveView(out, new Screen(true, false, size::get), StandardCharsets.UTF_8);
    for (int i = 0; i < 5; i++) {
      view.draw(lines("title " + i, "a line much longer than the forty columns of this screen"));
    }
    assertEquals(List.of(), terminal.scrollback());
    assertEquals("title 4", terminal.screen().get(0));
    assertEquals("a line much longer than the forty colu\u2026", terminal.screen().get(1));
    view.draw(lines("t", "1", "2", "3", "4", "5", "6", "7"));
    assertEquals(
        List.of("t", "  \u2026 4 more lines: the terminal is too \u2026", "5", "6", "7", ""),
        terminal.screen());
    assertEquals(List.of(), terminal.scrollback());
  }
}
