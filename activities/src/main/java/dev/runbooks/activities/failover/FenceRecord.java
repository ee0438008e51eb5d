package dev.runbooks.activities.failover;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What fencing changed on a primary, kept on that server in the custom setting {@value #SETTING}
 * (ALTER SYSTEM, so it lives in postgresql.auto.conf beside the change itself). It is written
 * before anything is changed, so a retried fence, the rollback, topology resolution and a person
 * reading {@code SHOW runbooks.fence} all see exactly what was done, by which run and when: {@code
 * RUN-ID|readonly=true|roles=app,reporting|at=2026-12-03T07:00:00Z}.
 *
 * @param at when the fence was set (ISO-8601); null in records written before it was kept
 */
public record FenceRecord(String runId, boolean readOnlyChanged, List<String> roles, String at) {
  public static final String SETTING = "runbooks.fence";

  public FenceRecord {
    roles = List.copyOf(roles);
  }

  FenceRecord(String runId, boolean readOnlyChanged, List<String> roles) {
    this(runId, readOnlyChanged, roles, null);
  }

  String encode() {
    List<String> encoded = new ArrayList<>();
    for (String r : roles) {
      encoded.add(URLEncoder.encode(r, StandardCharsets.UTF_8));
    }
    return URLEncoder.encode(runId, StandardCharsets.UTF_8)
        + "|readonly="
        + readOnlyChanged
        + "|roles="
        + String.join(",", encoded)
        + (at == null ? "" : "|at=" + at);
  }

  /** When the fence was set, for messages: the time, or "at an unknown time". */
  public String when() {
    return at == null ? "at an unknown time" : "at " + at;
  }

  public static FenceRecord decode(String text) {
    String[] parts = text.split("\\|", -1);
    if (parts.length < 3
        || parts.length > 4
        || !parts[1].startsWith("readonly=")
        || !parts[2].startsWith("roles=")
        || (parts.length == 4 && !parts[3].startsWith("at="))) {
      throw new IllegalArgumentException(
          SETTING + " holds \"" + text + "\"; expected RUN-ID|readonly=true|roles=a,b|at=TIME");
    }
    List<String> roles = new ArrayList<>();
    String list = parts[2].substring("roles=".length());
    if (!list.isEmpty()) {
      for (String r : list.split(",")) {
        roles.add(URLDecoder.decode(r, StandardCharsets.UTF_8));
      }
    }
    return new FenceRecord(
        URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
        Boolean.parseBoolean(parts[1].substring("readonly=".length())),
        roles,
        parts.length == 4 ? parts[3].substring("at=".length()) : null);
  }
}
