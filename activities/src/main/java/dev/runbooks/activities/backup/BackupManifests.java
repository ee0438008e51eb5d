package dev.runbooks.activities.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.runbooks.activities.backup.crypto.CorruptedBackupException;

/**
 * The JSON form of {@link BackupManifest} and {@link DrillVerdict}: pretty-printed, times as ISO
 * 8601 ({@code 2026-11-24T02:00:00Z}, {@code PT42.5S}). Fields added in later versions of the same
 * format are ignored; a newer format version is refused with a message that says so.
 */
public final class BackupManifests {
  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
          .build();

  private BackupManifests() {}

  public static String toJson(BackupManifest manifest) {
    return write(manifest);
  }

  public static String toJson(DrillVerdict verdict) {
    return write(verdict);
  }

  /**
   * Reads a manifest.
   *
   * @throws CorruptedBackupException when {@code json} is not a manifest of a format this version
   *     reads
   */
  public static BackupManifest fromJson(String json) {
    JsonNode tree = parse(json, "backup manifest");
    JsonNode version = tree.get("formatVersion");
    if (version == null || !version.canConvertToInt()) {
      throw new CorruptedBackupException(
          "the backup manifest has no formatVersion: it is not a runbooks manifest or was damaged;"
              + " restore from another backup",
          null);
    }
    if (version.intValue() > BackupManifest.FORMAT_VERSION) {
      throw new CorruptedBackupException(
          "the backup manifest has format version "
              + version.intValue()
              + " but this runbooks version reads up to "
              + BackupManifest.FORMAT_VERSION
              + ": restore with the runbooks version that wrote it, or a newer one",
          null);
    }
    if (version.intValue() < 2 && tree instanceof ObjectNode format1) {
      // Format 1 had no compression of its own: pg_dump's zlib, the archive encrypted as it came.
      format1.put("compression", DumpCompression.PG_DUMP.manifestName());
      format1.set("archiveBytes", format1.get("plaintextBytes"));
    }
    if (!tree.has("inventoryVersion") && tree instanceof ObjectNode older) {
      // Written before the drill listed triggers, types, policies and the other kinds.
      older.put("inventoryVersion", InventoryQueries.TABLES_AND_FUNCTIONS);
    }
    BackupManifest manifest = convert(tree, BackupManifest.class, "backup manifest");
    // A compression this version does not know is refused here, before any restore begins.
    manifest.dumpCompression();
    return manifest;
  }

  /** The JSON form of another record kept beside backups (a physical backup's manifest). */
  public static String toJsonRecord(Object value) {
    return write(value);
  }

  /**
   * Reads a record written by {@link #toJsonRecord}.
   *
   * @throws CorruptedBackupException when {@code json} is not a {@code what} this version reads
   */
  public static <T> T fromJsonRecord(String json, Class<T> type, String what) {
    return convert(parse(json, what), type, what);
  }

  /** Reads a drill verdict. */
  public static DrillVerdict verdictFromJson(String json) {
    JsonNode tree = parse(json, "drill verdict");
    if (!tree.has("restored") && tree instanceof ObjectNode older) {
      // Before the field: a passed verdict came from a restore; a failed one may not have.
      JsonNode passed = older.get("passed");
      older.put("restored", passed != null && passed.asBoolean());
    }
    return convert(tree, DrillVerdict.class, "drill verdict");
  }

  private static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not serialise " + value.getClass().getName(), e);
    }
  }

  private static JsonNode parse(String json, String what) {
    try {
      JsonNode tree = MAPPER.readTree(json);
      if (tree == null || !tree.isObject()) {
        throw new CorruptedBackupException(
            "expected a "
                + what
                + " (a JSON object), found "
                + (tree == null ? "nothing" : tree.getNodeType()),
            null);
      }
      return tree;
    } catch (JsonProcessingException e) {
      throw new CorruptedBackupException(
          "the " + what + " is not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
  }

  private static <T> T convert(JsonNode tree, Class<T> type, String what) {
    try {
      return MAPPER.treeToValue(tree, type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      String detail =
          e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw new CorruptedBackupException("the " + what + " is incomplete or damaged: " + detail, e);
    }
  }
}
