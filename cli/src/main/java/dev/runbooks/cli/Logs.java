package dev.runbooks.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Where this process's logs go. The terminal carries the command's own output; logs go to a file
 * ({@code RUNBOOKS_LOG_FILE}, else {@code ~/.local/state/runbooks/runbook.log}), to stderr with
 * {@code --verbose} or {@code --debug}, and to stderr for the commands that serve in the foreground
 * ({@code worker}, {@code dev}), whose log is their output. gRPC's java.util.logging lines are
 * routed the same way, so an unreachable server never floods the terminal.
 */
final class Logs {
  static final String FILE_ENV = "RUNBOOKS_LOG_FILE";
  static final String LEVEL_ENV = "RUNBOOKS_LOG_LEVEL";
  static final String TEMPORAL_LEVEL_ENV = "RUNBOOKS_LOG_LEVEL_TEMPORAL";

  /** The worker's one line per step (dev.runbooks.worker.StepLog). */
  static final String STEPS_LOGGER = "dev.runbooks.steps";

  /** A log file past this size is moved to {@code .1} at start, so it never grows unbounded. */
  private static final long ROTATE_AT_BYTES = 10L * 1024 * 1024;

  private static final String PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%X{WorkflowId:-}] [%X{ActivityType:-}]"
          + " [%X{Target:-}] %logger{24} - %msg%n";

  private final Map<String, String> env;
  private Path file;
  private boolean debug;

  Logs(Map<String, String> env) {
    this.env = env;
  }

  /** Commands whose log is their output: they log on stderr by default. */
  interface Foreground {}

  /**
   * Sends the logs where the options say.
   *
   * @param foreground whether the command serves in the foreground (worker, dev)
   */
  void configure(LogOptions options, boolean foreground) {
    debug = options.debug;
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    boolean toStderr = foreground || options.verbose || options.debug;
    OutputStreamAppender<ILoggingEvent> appender = null;
    if (!toStderr) {
      appender = fileAppender(context);
    }
    if (appender == null) {
      ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
      console.setTarget("System.err");
      appender = console;
      file = null;
    }
    appender.setContext(context);
    appender.setName("runbook");
    appender.setEncoder(encoder(context, options.format));
    appender.start();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(appender);
    // On the terminal of a worker, one line per step by default (and warnings); the file, or
    // RUNBOOKS_LOG_LEVEL=INFO, has every detail.
    Level ours =
        level(LEVEL_ENV, options.debug ? Level.DEBUG : foreground ? Level.WARN : Level.INFO);
    Level temporal = level(TEMPORAL_LEVEL_ENV, Level.WARN);
    context.getLogger("dev.runbooks").setLevel(ours);
    if (ours.isGreaterOrEqual(Level.WARN)) {
      context.getLogger(STEPS_LOGGER).setLevel(Level.INFO);
    }
    for (String chatty : new String[] {"io.temporal", "io.grpc", "io.netty", "org.flywaydb"}) {
      context.getLogger(chatty).setLevel(temporal);
    }
    // The embedded service has no worker heartbeats; the SDK says so at WARN on every start.
    context.getLogger("io.temporal.internal.worker.HeartbeatManager").setLevel(Level.ERROR);
    routeJavaUtilLogging();
  }

  /** The log file in use, when logs go to one. */
  Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /** Whether stack traces are printed ({@code --debug}). */
  boolean debug() {
    return debug;
  }

  /** The file logs go to unless {@code --verbose}: {@code RUNBOOKS_LOG_FILE}, else the default. */
  static Path defaultFile(Map<String, String> env) {
    String named = env.get(FILE_ENV);
    if (named != null && !named.isBlank()) {
      return Path.of(named.strip());
    }
    String state = env.get("XDG_STATE_HOME");
    Path base =
        state != null && !state.isBlank()
            ? Path.of(state)
            : Path.of(System.getProperty("user.home"), ".local", "state");
    return base.resolve("runbooks").resolve("runbook.log");
  }

  private FileAppender<ILoggingEvent> fileAppender(LoggerContext context) {
    Path path = defaultFile(env).toAbsolutePath();
    try {
      Files.createDirectories(path.getParent());
      if (Files.exists(path) && Files.size(path) > ROTATE_AT_BYTES) {
        Files.move(
            path,
            path.resolveSibling(path.getFileName() + ".1"),
            StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | RuntimeException e) {
      return null; // Not writable: the logs go to stderr rather than nowhere.
    }
    FileAppender<ILoggingEvent> appender = new FileAppender<>();
    appender.setContext(context);
    appender.setFile(path.toString());
    appender.setAppend(true);
    appender.setPrudent(false);
    file = path;
    return appender;
  }

  private static Encoder<ILoggingEvent> encoder(LoggerContext context, LogOptions.Format format) {
    if (format == LogOptions.Format.JSON) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(context);
      json.setWithSequenceNumber(false);
      json.setWithNanoseconds(false);
      json.setWithContext(false);
      json.setWithArguments(false);
      json.setWithMessage(false);
      json.setWithFormattedMessage(true);
      json.start();
      return json;
    }
    PatternLayoutEncoder pattern = new PatternLayoutEncoder();
    pattern.setContext(context);
    pattern.setPattern(PATTERN);
    pattern.start();
    return pattern;
  }

  private Level level(String variable, Level otherwise) {
    String value = env.get(variable);
    if (value == null || value.isBlank()) {
      return otherwise;
    }
    Level level = Level.toLevel(value.strip().toUpperCase(Locale.ROOT), null);
    if (level == null) {
      throw new UsageException(
          variable
              + "="
              + value
              + " is not a log level: give one of ERROR, WARN, INFO, DEBUG, TRACE, or unset it.");
    }
    return level;
  }

  private static void routeJavaUtilLogging() {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
  }
}
