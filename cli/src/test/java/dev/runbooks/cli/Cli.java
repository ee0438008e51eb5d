package dev.runbooks.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs {@code runbook} in this JVM over string writers, as a user would on a pipe. */
final class Cli {
  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private final Map<String, String> env;

  Cli(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  /** An environment with no Temporal settings of the machine's (no temporal.toml either). */
  static Map<String, String> isolatedEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("TEMPORAL_CONFIG_FILE", "/nonexistent/temporal.toml");
    env.put("RUNBOOK_USER", "tester");
    env.put(
        "RUNBOOKS_LOG_FILE",
        Path.of(System.getProperty("java.io.tmpdir"), "runbook-cli-tests.log").toString());
    return env;
  }

  /** The environment the command sees. */
  Map<String, String> env() {
    return env;
  }

  Cli with(String name, String value) {
    Map<String, String> changed = new HashMap<>(env);
    changed.put(name, value);
    return new Cli(changed);
  }

  Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new Main(new PrintWriter(out), new PrintWriter(err), env).run(args);
    return new Result(code, out.toString(), err.toString());
  }
}
