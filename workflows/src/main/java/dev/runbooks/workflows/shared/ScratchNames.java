package dev.runbooks.workflows.shared;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Names of the databases a run makes for itself (drill scratch copies, rehearsals): the prefix, as
 * much of the workflow id as fits, and 8 hex digits of the SHA-256 of the whole id. Truncation
 * alone made every drill of a long target name share one database; the hash keeps two runs apart
 * however long or alike their ids are. Deterministic, so workflow code may call it.
 */
public final class ScratchNames {
  /** PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes. */
  static final int MAX_BYTES = 63;

  private static final int HASH_HEX = 8;

  private ScratchNames() {}

  /**
   * A database name unique to {@code workflowId}, within 63 bytes.
   *
   * @param prefix lower-case ASCII letters, digits and '_', such as {@code drill_}
   */
  public static String database(String prefix, String workflowId) {
    String readable = workflowId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    String hash = "_" + sha256(workflowId).substring(0, HASH_HEX);
    int room = MAX_BYTES - prefix.length() - hash.length();
    if (room < 0) {
      throw new IllegalArgumentException("prefix too long for a database name: " + prefix);
    }
    return prefix + readable.substring(0, Math.min(room, readable.length())) + hash;
  }

  private static String sha256(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
