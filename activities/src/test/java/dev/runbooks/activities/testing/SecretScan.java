package dev.runbooks.activities.testing;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Scans a run's whole event history for secret values: every string and every bytes field of every
 * event (payloads are bytes, so a JSON dump alone would hide them behind base64), decoded as UTF-8
 * and also searched in base64 form.
 */
public final class SecretScan {
  private SecretScan() {}

  /** Where in the history each secret was found; empty when the history is clean. */
  public static List<String> findSecrets(
      WorkflowClient client, String workflowId, Collection<String> secrets) {
    List<String> hits = new ArrayList<>();
    for (HistoryEvent event : client.fetchHistory(workflowId).getEvents()) {
      scan(event, "event " + event.getEventId() + " " + event.getEventType(), secrets, hits);
    }
    return hits;
  }

  /** Fails, naming each place, when any secret is in the run's history. */
  public static void assertNoSecrets(
      WorkflowClient client, String workflowId, Collection<String> secrets) {
    if (secrets.isEmpty() || secrets.stream().anyMatch(s -> s == null || s.length() < 6)) {
      throw new IllegalArgumentException("scan for real secrets of at least 6 characters");
    }
    List<String> hits = findSecrets(client, workflowId, secrets);
    if (!hits.isEmpty()) {
      throw new AssertionError(
          "secret values in the history of " + workflowId + ":\n  " + String.join("\n  ", hits));
    }
  }

  private static void scan(
      Message message, String where, Collection<String> secrets, List<String> hits) {
    for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
      String path = where + "." + field.getKey().getName();
      Object value = field.getValue();
      if (value instanceof List<?> list) {
        for (Object item : list) {
          scanValue(item, path, secrets, hits);
        }
      } else {
        scanValue(value, path, secrets, hits);
      }
    }
  }

  private static void scanValue(
      Object value, String path, Collection<String> secrets, List<String> hits) {
    if (value instanceof Message nested) {
      scan(nested, path, secrets, hits);
    } else if (value instanceof String text) {
      check(text, path, secrets, hits);
    } else if (value instanceof ByteString bytes) {
      check(bytes.toString(StandardCharsets.UTF_8), path, secrets, hits);
    }
  }

  private static void check(
      String text, String path, Collection<String> secrets, List<String> hits) {
    for (String secret : secrets) {
      String base64 = Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8));
      if (text.contains(secret) || text.contains(base64)) {
        hits.add(path);
      }
    }
  }
}
