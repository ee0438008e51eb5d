package dev.runbooks.activities.failover;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What fencing changed on a primary, kept on that server in the custom setting {@value #SETTING}
 * (ALTER SYSTEM, so it lives in postgresql.auto.conf beside the change itself). It is written
 * before anything is changed, so a retried fence, the rollback and a person reading {@code SHOW
 * runbooks.fence} all see exactly what was done and by which run: {@code
 * RUN-ID|readonly=true|roles=app,reporting}.
 */
record FenceRecord(String runId, boolean readOnlyChanged, List<String> roles) {
  static final String SETTING = "runbooks.fence";

  FenceRecord {
    roles = List.copyOf(roles);
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
        + String.join(",", encoded);
  }

  static FenceRecord decode(String text) {
    String[] parts = text.split("\\|", -1);
    if (parts.length != 3 || !parts[1].startsWith("readonly=") || !parts[2].startsWith("roles=")) {
      throw new IllegalArgumentException(
          SETTING + " holds \"" + text + "\"; expected RUN-ID|readonly=true|roles=a,b");
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
        roles);
  }
}
