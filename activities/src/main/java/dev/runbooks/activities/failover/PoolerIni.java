package dev.runbooks.activities.failover;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code [databases]} section of a pgbouncer.ini, rewritten from one server to another. Only
 * entries whose {@code host} and {@code port} name the old server change; comments, other sections
 * and other entries stay as written, so running it twice changes nothing more.
 */
final class PoolerIni {
  private static final Pattern SECTION = Pattern.compile("^\\s*\\[([^\\]]+)]\\s*$");
  private static final Pattern ENTRY = Pattern.compile("^(\\s*([^=;#\\s][^=]*?)\\s*=\\s*)(.*)$");
  private static final Pattern HOST = Pattern.compile("(^|\\s)host\\s*=\\s*([^\\s]+)");
  private static final Pattern PORT = Pattern.compile("(^|\\s)port\\s*=\\s*(\\d+)");
  private static final int DEFAULT_PORT = 5432;

  /**
   * @param text the file after the rewrite
   * @param changed the entries that pointed at the old server and point at the new one now
   * @param already the entries that pointed at the new server before
   */
  record Rewrite(String text, List<String> changed, List<String> already) {}

  static Rewrite rewrite(String text, String fromHost, int fromPort, String toHost, int toPort) {
    List<String> changed = new ArrayList<>();
    List<String> already = new ArrayList<>();
    StringBuilder out = new StringBuilder();
    boolean databases = false;
    for (String line : text.split("(?<=\n)", -1)) {
      String body = line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
      Matcher section = SECTION.matcher(body);
      if (section.matches()) {
        databases = section.group(1).strip().equalsIgnoreCase("databases");
      } else if (databases) {
        Matcher entry = ENTRY.matcher(body);
        if (entry.matches()) {
          String conn = entry.group(3);
          String host = value(HOST, conn);
          String port = value(PORT, conn);
          int portNumber = port == null ? DEFAULT_PORT : Integer.parseInt(port);
          String name = entry.group(2);
          if (toHost.equals(host) && portNumber == toPort) {
            already.add(name);
          } else if (fromHost.equals(host) && portNumber == fromPort) {
            String moved = HOST.matcher(conn).replaceFirst("$1host=" + toHost);
            moved =
                port == null
                    ? moved + " port=" + toPort
                    : PORT.matcher(moved).replaceFirst("$1port=" + toPort);
            changed.add(name);
            line = entry.group(1) + moved + (line.endsWith("\n") ? "\n" : "");
          }
        }
      }
      out.append(line);
    }
    return new Rewrite(out.toString(), changed, already);
  }

  private static String value(Pattern key, String conn) {
    Matcher m = key.matcher(conn);
    return m.find() ? m.group(2) : null;
  }

  private PoolerIni() {}
}
