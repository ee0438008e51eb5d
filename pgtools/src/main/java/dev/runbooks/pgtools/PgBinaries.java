package dev.runbooks.pgtools;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The directory holding the PostgreSQL server binaries (initdb, pg_ctl, postgres, pg_basebackup,
 * pg_dump, pg_restore, psql). Looked up in this order: the {@value #ENV} environment variable,
 * {@code pg_config --bindir} when that directory has initdb, the highest {@code
 * /usr/lib/postgresql/<version>/bin}, then the directory of the first initdb on {@code PATH}.
 */
public final class PgBinaries {
  /** Points at a bin directory to use instead of looking for one. */
  public static final String ENV = "RUNBOOKS_PG_BIN";

  private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
  private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)");
  private static final Duration QUICK = Duration.ofSeconds(30);

  private static volatile Lookup cached;

  private final Path binDir;
  private final int majorVersion;

  private PgBinaries(Path binDir, int majorVersion) {
    this.binDir = binDir;
    this.majorVersion = majorVersion;
  }

  /** The binaries this machine has, or empty when there are none. */
  public static Optional<PgBinaries> find() {
    return lookup().found();
  }

  /**
   * The binaries this machine has.
   *
   * @throws MissingPostgresException when there are none; its message says what to install
   */
  public static PgBinaries require() {
    Lookup lookup = lookup();
    return lookup.found().orElseThrow(() -> new MissingPostgresException(lookup.explain()));
  }

  /** Uses the binaries in {@code binDir}, which must hold initdb. */
  public static PgBinaries at(Path binDir) {
    Path dir = binDir.toAbsolutePath().normalize();
    if (!Files.isExecutable(dir.resolve("initdb"))) {
      throw new MissingPostgresException(
          "expected the PostgreSQL server binaries in "
              + dir
              + ", but there is no executable initdb there. "
              + installAdvice());
    }
    return new PgBinaries(dir, readMajorVersion(dir));
  }

  /** The directory holding the binaries. */
  public Path binDir() {
    return binDir;
  }

  /**
   * The path of one program, e.g. {@code bin("pg_dump")}.
   *
   * @throws MissingPostgresException when the directory does not have it
   */
  public Path bin(String tool) {
    Path path = binDir.resolve(tool);
    if (!Files.isExecutable(path)) {
      throw new MissingPostgresException(
          "expected "
              + tool
              + " in the PostgreSQL bin directory "
              + binDir
              + ", but it is not there. Install the full server package, or set "
              + ENV
              + " to a bin directory that has it. "
              + installAdvice());
    }
    return path;
  }

  /** The major version, e.g. 15, as {@code postgres --version} reports it. */
  public int majorVersion() {
    return majorVersion;
  }

  @Override
  public String toString() {
    return "PostgreSQL " + majorVersion + " in " + binDir;
  }

  private static Lookup lookup() {
    Lookup lookup = cached;
    if (lookup == null) {
      lookup = lookup(System.getenv(), DEBIAN_ROOT, PgBinaries::pgConfigBindir);
      cached = lookup;
    }
    return lookup;
  }

  /** The lookup itself, with its inputs passed in so that tests can vary them. */
  static Lookup lookup(
      Map<String, String> env,
      Path debianRoot,
      Function<Map<String, String>, Optional<Path>> pgConfig) {
    List<String> tried = new ArrayList<>();
    String explicit = env.get(ENV);
    if (explicit != null && !explicit.isBlank()) {
      Path dir = Path.of(explicit).toAbsolutePath().normalize();
      if (hasInitdb(dir)) {
        return Lookup.found(new PgBinaries(dir, readMajorVersion(dir)));
      }
      // An explicit choice that does not work is an error to report, not a hint to ignore.
      tried.add(ENV + "=" + explicit + " (no executable initdb there)");
      return Lookup.missing(tried);
    }
    tried.add(ENV + " (not set)");

    Optional<Path> fromPgConfig = pgConfig.apply(env);
    if (fromPgConfig.isPresent() && hasInitdb(fromPgConfig.get())) {
      return Lookup.found(new PgBinaries(fromPgConfig.get(), readMajorVersion(fromPgConfig.get())));
    }
    tried.add(
        "pg_config --bindir"
            + fromPgConfig.map(dir -> " (" + dir + " has no initdb)").orElse(" (no pg_config)"));

    Optional<Path> debian = highestDebianBin(debianRoot);
    if (debian.isPresent()) {
      return Lookup.found(new PgBinaries(debian.get(), readMajorVersion(debian.get())));
    }
    tried.add(debianRoot + "/*/bin (none with initdb)");

    Optional<Path> onPath = onPath(env.get("PATH"), "initdb", true).map(Path::getParent);
    if (onPath.isPresent()) {
      return Lookup.found(new PgBinaries(onPath.get(), readMajorVersion(onPath.get())));
    }
    tried.add("PATH (no initdb)");
    return Lookup.missing(tried);
  }

  private static boolean hasInitdb(Path dir) {
    return Files.isExecutable(dir.resolve("initdb"));
  }

  private static Optional<Path> pgConfigBindir(Map<String, String> env) {
    Optional<Path> pgConfig = onPath(env.get("PATH"), "pg_config", false);
    if (pgConfig.isEmpty()) {
      return Optional.empty();
    }
    try {
      Command.Result result = Command.of(List.of(pgConfig.get().toString(), "--bindir")).run(QUICK);
      String out = result.output().strip();
      return result.exitCode() == 0 && !out.isEmpty()
          ? Optional.of(Path.of(out).toAbsolutePath().normalize())
          : Optional.empty();
    } catch (PgToolsException e) {
      return Optional.empty();
    }
  }

  static Optional<Path> highestDebianBin(Path root) {
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .filter(dir -> dir.getFileName().toString().matches("\\d+(\\.\\d+)?"))
          .filter(dir -> hasInitdb(dir.resolve("bin")))
          .max(Comparator.comparingDouble(dir -> Double.parseDouble(dir.getFileName().toString())))
          .map(dir -> dir.resolve("bin").toAbsolutePath().normalize());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The first executable {@code program} on {@code path}. With {@code resolveLinks}, the link's
   * target: Homebrew's bin/initdb links into the versioned directory that holds every tool.
   */
  private static Optional<Path> onPath(String path, String program, boolean resolveLinks) {
    if (path == null) {
      return Optional.empty();
    }
    for (String entry : path.split(File.pathSeparator)) {
      Path candidate = Path.of(entry.isEmpty() ? "." : entry, program);
      if (!Files.isExecutable(candidate)) {
        continue;
      }
      Path plain = candidate.toAbsolutePath().normalize();
      if (!resolveLinks) {
        return Optional.of(plain);
      }
      try {
        Path real = candidate.toRealPath();
        // A wrapper script (Debian's pg_wrapper) is not the directory we want; a renamed link is.
        return Optional.of(real.getFileName().toString().equals(program) ? real : plain);
      } catch (IOException e) {
        return Optional.of(plain);
      }
    }
    return Optional.empty();
  }

  private static int readMajorVersion(Path dir) {
    String output =
        Command.of(List.of(dir.resolve("initdb").toString(), "--version"))
            .runChecked(QUICK, "asking initdb in " + dir + " for its version");
    Matcher matcher = VERSION.matcher(output);
    if (!matcher.find()) {
      throw new MissingPostgresException(
          "expected `initdb --version` in "
              + dir
              + " to print \"initdb (PostgreSQL) <version>\", but it printed: "
              + output.strip());
    }
    return Integer.parseInt(matcher.group(1));
  }

  /** How to install the PostgreSQL programs, for messages that say they are missing. */
  public static String installAdvice() {
    return "Install the PostgreSQL server: `apt-get install postgresql` on Debian/Ubuntu, "
        + "`dnf install postgresql-server` on Fedora/RHEL, `brew install postgresql` on macOS; "
        + "or set "
        + ENV
        + " to the bin directory of an installed server (the one holding initdb and pg_ctl).";
  }

  /** The outcome of a lookup: the binaries, or what was tried. */
  static final class Lookup {
    private final PgBinaries found;
    private final List<String> tried;

    private Lookup(PgBinaries found, List<String> tried) {
      this.found = found;
      this.tried = List.copyOf(tried);
    }

    static Lookup found(PgBinaries binaries) {
      return new Lookup(binaries, List.of());
    }

    static Lookup missing(List<String> tried) {
      return new Lookup(null, tried);
    }

    Optional<PgBinaries> found() {
      return Optional.ofNullable(found);
    }

    String explain() {
      return "expected the PostgreSQL server binaries (initdb, pg_ctl, postgres, pg_basebackup), "
          + "but found none; looked at: "
          + String.join(", ", tried)
          + ". "
          + installAdvice();
    }
  }
}
