package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The JSON Schemas the CLI publishes under {@code schemas/}, one per command's document. */
final class Schemas {
  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  private Schemas() {}

  /** {@code schemas/<command, words joined by dashes>.schema.json}. */
  static String resource(String command) {
    return "schemas/" + command.replace(' ', '-') + ".schema.json";
  }

  static boolean exists(String command) {
    return Schemas.class.getClassLoader().getResource(resource(command)) != null;
  }

  /** Fails unless {@code result} exited as expected with stdout valid against the schema. */
  static void assertValid(String command, Cli.Result result) {
    String text;
    try (InputStream in = Schemas.class.getClassLoader().getResourceAsStream(resource(command))) {
      assertNotNull(in, "no schema for " + command + ": " + resource(command));
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Schema schema = REGISTRY.getSchema(text, InputFormat.JSON);
    List<Error> errors = schema.validate(result.out(), InputFormat.JSON);
    assertEquals(List.of(), errors, command + " -o json does not match its schema:\n" + result);
  }
}
