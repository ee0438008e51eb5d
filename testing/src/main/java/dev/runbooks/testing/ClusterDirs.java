package dev.runbooks.testing;

import dev.runbooks.pgtools.Command;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.pgtools.PgToolsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files that tie a cluster directory to the JVM that made it, and what is done with a directory
 * whose JVM is gone: {@code owner.pid} holds the owning JVM's pid and start time (so a reused pid
 * does not pass for the owner); {@code data/postmaster.pid} names the server to stop.
 */
final class ClusterDirs {
  static final String OWNER_FILE = "owner.pid";
  static final String DATA = "data";

  private static final Logger log = LoggerFactory.getLogger(ClusterDirs.class);
  private static final Duration START_TOLERANCE = Duration.ofSeconds(2);

  private ClusterDirs() {}

  /** Records this JVM as the owner of {@code clusterDir}. */
  static void writeOwner(Path clusterDir) throws IOException {
    ProcessHandle self = ProcessHandle.current();
    String start = self.info().startInstant().map(Object::toString).orElse("");
    // Written aside and renamed: a reaper in another JVM must never read half a pid.
    Path partial = clusterDir.resolve(OWNER_FILE + ".partial");
    Files.writeString(partial, self.pid() + "\n" + start + "\n", StandardCharsets.UTF_8);
    Files.move(partial, clusterDir.resolve(OWNER_FILE), StandardCopyOption.ATOMIC_MOVE);
  }

  /** Whether the JVM recorded in {@code clusterDir}'s owner file is this one. */
  static boolean ownedByThisJvm(Path clusterDir) {
    return readOwnerPid(clusterDir).orElse(-1) == ProcessHandle.current().pid();
  }

  /**
   * Whether {@code clusterDir} is a cluster directory whose owner is gone: it has an owner file,
   * and the process it names is dead or is a different process that got the same pid.
   */
  static boolean ownerIsGone(Path clusterDir) {
    List<String> lines;
    try {
      lines = Files.readAllLines(clusterDir.resolve(OWNER_FILE), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return false; // not ours to judge: no owner file, or kept on purpose
    } catch (IOException e) {
      return false;
    }
    if (lines.isEmpty()) {
      return false; // being written right now
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).strip());
    } catch (NumberFormatException e) {
      return false;
    }
    Optional<ProcessHandle> owner = ProcessHandle.of(pid).filter(ClusterDirs::isRunning);
    if (owner.isEmpty()) {
      return true;
    }
    String recordedStart = lines.size() > 1 ? lines.get(1).strip() : "";
    if (recordedStart.isEmpty()) {
      return false;
    }
    Instant recorded;
    try {
      recorded = Instant.parse(recordedStart);
    } catch (DateTimeParseException e) {
      return false;
    }
    // Another JDK may round a start time differently; only a clearly later start is a new owner.
    return owner
        .get()
        .info()
        .startInstant()
        .map(actual -> Duration.between(recorded, actual).abs().compareTo(START_TOLERANCE) > 0)
        .orElse(false);
  }

  private static OptionalLong readOwnerPid(Path clusterDir) {
    try {
      List<String> lines =
          Files.readAllLines(clusterDir.resolve(OWNER_FILE), StandardCharsets.UTF_8);
      return lines.isEmpty()
          ? OptionalLong.empty()
          : OptionalLong.of(Long.parseLong(lines.get(0).strip()));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** The live postmaster of {@code dataDir}, from its postmaster.pid. */
  static Optional<ProcessHandle> postmaster(Path dataDir) {
    List<String> lines;
    try {
      lines = Files.readAllLines(dataDir.resolve("postmaster.pid"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return Optional.empty();
    }
    if (lines.isEmpty()) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).strip());
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid).filter(ClusterDirs::isRunning).filter(ClusterDirs::isPostgres);
  }

  /** Whether a process is a PostgreSQL server, as far as its command tells. */
  static boolean isPostgres(ProcessHandle process) {
    Optional<String> command = process.info().command();
    if (command.isPresent()) {
      String program = Path.of(command.get()).getFileName().toString();
      return program.equals("postgres") || program.equals("postmaster");
    }
    // Without permission to see the command, trust the pid file over a guess.
    return true;
  }

  /**
   * Stops the server of a directory whose owner is gone and deletes the directory. Returns whether
   * it was deleted.
   */
  static boolean reap(Path clusterDir, Optional<PgBinaries> binaries, ServerUser user) {
    Path dataDir = clusterDir.resolve(DATA);
    Optional<ProcessHandle> postmaster = postmaster(dataDir);
    if (postmaster.isPresent()) {
      log.info(
          "Stopping PostgreSQL server {} left behind by a JVM that is gone (directory {})",
          postmaster.get().pid(),
          clusterDir);
      stopImmediately(dataDir, postmaster.get(), binaries, user);
    }
    return deleteTree(clusterDir);
  }

  /** Stops a server at once: {@code pg_ctl stop -m immediate}, then a kill if that did not work. */
  static void stopImmediately(
      Path dataDir, ProcessHandle postmaster, Optional<PgBinaries> binaries, ServerUser user) {
    if (binaries.isPresent()) {
      try {
        Command.of(
                user.wrap(
                    List.of(
                        binaries.get().bin("pg_ctl").toString(),
                        "-D",
                        dataDir.toString(),
                        "-m",
                        "immediate",
                        "-w",
                        "-t",
                        "30",
                        "stop")),
                dataDir.getParent(),
                java.util.Map.of())
            .run(Duration.ofSeconds(40));
      } catch (PgToolsException e) {
        log.warn("pg_ctl could not stop the server in {}: {}", dataDir, e.getMessage());
      }
    }
    // pg_ctl returns once postmaster.pid is gone, a moment before the process itself is.
    if (!waitForExit(postmaster, Duration.ofSeconds(10))) {
      // A killed postmaster's children notice and exit on their own.
      postmaster.destroyForcibly();
      waitForExit(postmaster, Duration.ofSeconds(10));
    }
  }

  /**
   * Waits for a process to end; returns whether it did. Polls, because {@code onExit()} of a
   * process that is not our child polls too, but in steps of 300 ms and more.
   */
  static boolean waitForExit(ProcessHandle process, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (isRunning(process)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return !isRunning(process);
      }
    }
    return true;
  }

  /**
   * Whether a process runs: alive, and on Linux not a zombie. A stopped postmaster's parent is
   * init, and some inits (container ones) take a second or more to reap it; isAlive() says true
   * until then.
   */
  static boolean isRunning(ProcessHandle process) {
    if (!process.isAlive()) {
      return false;
    }
    Path stat = Path.of("/proc", Long.toString(process.pid()), "stat");
    try {
      // "<pid> (<command>) <state> ...": the command may itself contain ')'.
      String text = Files.readString(stat, StandardCharsets.US_ASCII);
      int end = text.lastIndexOf(')');
      char state = end >= 0 && end + 2 < text.length() ? text.charAt(end + 2) : 'R';
      return state != 'Z' && state != 'X';
    } catch (IOException | RuntimeException e) {
      return process.isAlive();
    }
  }

  /** Deletes a directory tree; returns whether it is gone. Never throws. */
  static boolean deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return true;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
              if (e instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE;
              }
              throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              if (e != null && !(e instanceof NoSuchFileException)) {
                throw e;
              }
              Files.deleteIfExists(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      log.warn("Could not delete {}: {}", dir, e.toString());
    }
    return !Files.exists(dir);
  }

  /** The directories directly under {@code root}. */
  static List<Path> children(Path root) {
    List<Path> children = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return children;
    }
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(root, Files::isDirectory)) {
      stream.forEach(children::add);
    } catch (IOException e) {
      log.warn("Could not list {}: {}", root, e.toString());
    }
    return children;
  }

  /**
   * PostgreSQL servers whose command line names a directory under {@code root}, and the cluster
   * directory (directly under root) each one runs from.
   */
  static List<Running> serversUnder(Path root) {
    String prefix = root.toString() + "/";
    List<Running> found = new ArrayList<>();
    ProcessHandle.allProcesses()
        .forEach(
            process -> {
              Optional<String> commandLine = process.info().commandLine();
              if (commandLine.isEmpty() || !isRunning(process)) {
                return;
              }
              String program =
                  process.info().command().orElse(commandLine.get().split("\\s", 2)[0]);
              String name = Path.of(program).getFileName().toString();
              if (!name.equals("postgres") && !name.equals("postmaster")) {
                return;
              }
              int at = commandLine.get().indexOf(prefix);
              if (at < 0) {
                return;
              }
              String rest = commandLine.get().substring(at + prefix.length());
              String dirName = rest.split("[/\\s]", 2)[0];
              found.add(new Running(process, root.resolve(dirName)));
            });
    return found;
  }

  record Running(ProcessHandle process, Path clusterDir) {}
}
