package dev.runbooks.activities.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Turns what Jackson and SnakeYAML report about a file into a {@link ConfigException}: the line and
 * column of the key at fault (found by reading the file again, since Jackson often reports the end
 * of the enclosing mapping), what was expected there, and for an unknown key the closest allowed
 * one.
 */
final class YamlErrors {
  private final Path file;
  private final byte[] content;
  private final ObjectMapper yaml;

  YamlErrors(Path file, byte[] content, ObjectMapper yaml) {
    this.file = file;
    this.content = content;
    this.yaml = yaml;
  }

  /** The message for a failure to read {@code content} into the raw records. */
  ConfigException translate(IOException e) {
    if (e instanceof UnrecognizedPropertyException unknown) {
      return unknownKey(unknown);
    }
    JsonParseException syntax = syntaxError(e);
    if (syntax != null) {
      return invalidYaml(syntax);
    }
    if (e instanceof MismatchedInputException mismatch) {
      return mismatch(mismatch);
    }
    if (e instanceof JsonMappingException mapping) {
      return new ConfigException(
          file,
          keyOf(mapping),
          "cannot be read "
              + at(spot(mapping.getPath()).location())
              + ": "
              + firstLine(mapping.getOriginalMessage()),
          "correct the value at that place.",
          e);
    }
    return new ConfigException(
        file,
        null,
        "cannot be read: " + e.getMessage(),
        "check that the file is readable UTF-8 YAML.",
        e);
  }

  /** The YAML syntax error behind a failure, which Jackson wraps when it met it inside a value. */
  private static JsonParseException syntaxError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof JsonParseException syntax) {
        return syntax;
      }
    }
    return null;
  }

  private ConfigException invalidYaml(JsonParseException e) {
    String message = e.getOriginalMessage();
    if (message != null && message.startsWith("Duplicate field '")) {
      String name = message.substring("Duplicate field '".length(), message.lastIndexOf('\''));
      return new ConfigException(
          file,
          null,
          "the key \"" + name + "\" appears twice in one mapping " + at(e.getLocation()),
          "keep one of them, or merge their settings into one.",
          e);
    }
    JsonLocation location = e.getLocation();
    String problem = firstLine(message);
    // SnakeYAML knows where the problem is; Jackson reports where the enclosing construct began.
    if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
      Mark mark = marked.getProblemMark();
      location = new JsonLocation(null, -1, mark.getLine() + 1, mark.getColumn() + 1);
      if (marked.getProblem() != null) {
        problem = firstLine(marked.getProblem());
      }
    }
    return new ConfigException(
        file,
        null,
        "not valid YAML " + at(location) + ": " + problem,
        "correct the YAML at that place (indent with spaces, never tabs; put a space after each"
            + " colon; quote values that contain special characters).",
        e);
  }

  private ConfigException unknownKey(UnrecognizedPropertyException e) {
    String name = e.getPropertyName();
    List<String> allowed = allowedKeys(e.getReferringClass(), e.getKnownPropertyIds());
    String suggestion = ClosestKey.closest(name, allowed);
    String fix =
        suggestion != null
            ? "did you mean \"" + suggestion + "\"? Rename the key, or remove it."
            : "remove the key, or move it to where it belongs.";
    return new ConfigException(
        file,
        keyOf(e),
        "unknown key \""
            + name
            + "\" "
            + at(spot(e.getPath()).location())
            + "; allowed keys here: "
            + String.join(", ", allowed),
        fix,
        e);
  }

  private ConfigException mismatch(MismatchedInputException e) {
    String expected = describeExpected(e.getTargetType());
    Spot spot = spot(e.getPath());
    return new ConfigException(
        file,
        keyOf(e),
        "expected " + expected + ", found " + spot.found() + " " + at(spot.location()),
        "write " + expected + " there (mind the indentation).",
        e);
  }

  private static String describeExpected(Class<?> type) {
    if (type == null) {
      return "something else";
    }
    if (type == String.class) {
      return "a single value";
    }
    if (Map.class.isAssignableFrom(type)) {
      return "a mapping of names to settings";
    }
    if (Collection.class.isAssignableFrom(type)) {
      return "a list (lines starting with \"- \")";
    }
    if (type.isRecord()) {
      return "a mapping with the keys " + String.join(", ", componentNames(type));
    }
    return "a " + type.getSimpleName();
  }

  /** Where a key is in the file and what its value is. */
  private record Spot(JsonLocation location, String found) {}

  /**
   * Finds the key at {@code path} by reading the file again: Jackson reports where it noticed a
   * problem, which for records is often the end of the enclosing mapping.
   */
  private Spot spot(List<JsonMappingException.Reference> path) {
    StringBuilder pointer = new StringBuilder();
    for (JsonMappingException.Reference ref : path) {
      pointer.append('/');
      if (ref.getFieldName() != null) {
        pointer.append(ref.getFieldName().replace("~", "~0").replace("/", "~1"));
      } else {
        pointer.append(ref.getIndex());
      }
    }
    String wanted = pointer.toString();
    try (JsonParser parser = yaml.createParser(content)) {
      JsonLocation keyLocation = null;
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        if (!parser.getParsingContext().pathAsPointer().toString().equals(wanted)) {
          continue;
        }
        if (token == JsonToken.FIELD_NAME && keyLocation == null) {
          keyLocation = parser.currentTokenLocation();
          continue;
        }
        JsonLocation location = keyLocation != null ? keyLocation : parser.currentTokenLocation();
        return new Spot(location, describe(parser, token));
      }
      return new Spot(keyLocation, "something else");
    } catch (IOException e) {
      return new Spot(null, "something else");
    }
  }

  private static String describe(JsonParser parser, JsonToken token) throws IOException {
    switch (token) {
      case START_ARRAY:
        return "a list";
      case START_OBJECT:
        return "a mapping";
      case VALUE_NULL:
        return "nothing";
      default:
        return "the value \"" + parser.getText() + "\"";
    }
  }

  private static List<String> allowedKeys(Class<?> referring, Collection<Object> known) {
    if (referring != null && referring.isRecord()) {
      return componentNames(referring);
    }
    List<String> keys = new ArrayList<>();
    if (known != null) {
      for (Object k : known) {
        keys.add(String.valueOf(k));
      }
    }
    return keys;
  }

  private static List<String> componentNames(Class<?> record) {
    List<String> names = new ArrayList<>();
    for (RecordComponent c : record.getRecordComponents()) {
      names.add(c.getName());
    }
    return names;
  }

  private static String keyOf(JsonMappingException e) {
    StringBuilder key = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (key.length() > 0) {
          key.append('.');
        }
        key.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        key.append('[').append(ref.getIndex()).append(']');
      }
    }
    return key.length() == 0 ? null : key.toString();
  }

  private static String at(JsonLocation location) {
    if (location == null || location.getLineNr() < 1) {
      return "(line unknown)";
    }
    return "at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    String line = message.strip();
    int newline = line.indexOf('\n');
    return newline < 0 ? line : line.substring(0, newline).strip();
  }
}
