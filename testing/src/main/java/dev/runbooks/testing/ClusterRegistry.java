package dev.runbooks.testing;

import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.pgtools.PgToolsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clusters this JVM has open and the roots it made them under: a shutdown hook closes those
 * still open, the first cluster under a root reaps what dead JVMs left there, and {@link
 * #leftovers()} tells what this JVM would leave behind.
 */
final class ClusterRegistry {
  private static final Logger log = LoggerFactory.getLogger(ClusterRegistry.class);

  private static final Duration EXIT_CLEANUP_TIMEOUT = Duration.ofSeconds(60);

  private static final Set<LocalCluster> OPEN = ConcurrentHashMap.newKeySet();
  private static final Set<Path> ROOTS_USED = ConcurrentHashMap.newKeySet();
  private static final Set<Path> ROOTS_REAPED = ConcurrentHashMap.newKeySet();
  private static final AtomicBoolean EXIT_HOOK = new AtomicBoolean();

  private ClusterRegistry() {}

  /** Counts {@code cluster} as open: the shutdown hook closes it unless it is closed or kept. */
  static void register(LocalCluster cluster) {
    if (EXIT_HOOK.compareAndSet(false, true)) {
      Runtime.getRuntime()
          .addShutdownHook(new Thread(ClusterRegistry::closeAllAtExit, "runbooks-pg-cleanup"));
    }
    OPEN.add(cluster);
  }

  /** Stops counting {@code cluster} as open (closed, or kept after exit). */
  static void forget(LocalCluster cluster) {
    OPEN.remove(cluster);
  }

  /**
   * Forgets {@code cluster} and removes its owner file: see {@link LocalCluster#keepAfterExit()}.
   */
  static void keepAfterExit(LocalCluster cluster) {
    forget(cluster);
    Path ownerFile = cluster.directory().resolve(ClusterDirs.OWNER_FILE);
    try {
      Files.deleteIfExists(ownerFile);
    } catch (IOException e) {
      throw new PgToolsException("could not remove " + ownerFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * Makes {@code root} for clusters, reachable by the server user; the first time in this JVM,
   * reaps the clusters there whose JVM is gone.
   */
  static void prepareRoot(Path root, ServerUser user) {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new PgToolsException(
          "expected to create the directory for throwaway clusters "
              + root
              + ", but: "
              + e
              + ". Choose another base directory or java.io.tmpdir.",
          e);
    }
    user.ensureReachable(root);
    ROOTS_USED.add(root);
    if (ROOTS_REAPED.add(root)) {
      int reaped = reapStale(root);
      if (reaped > 0) {
        log.info(
            "Removed {} throwaway cluster(s) under {} left by JVMs that are gone", reaped, root);
      }
    }
  }

  /** A new cluster directory under {@code root}, named after {@code name}, owned by this JVM. */
  static Path newClusterDirectory(Path root, String name, ServerUser user) {
    try {
      // createTempDirectory makes it 0700; the owner file goes in before anyone could reap it.
      Path dir = Files.createTempDirectory(root, name + "-");
      ClusterDirs.writeOwner(dir);
      user.own(dir);
      return dir;
    } catch (IOException e) {
      throw new PgToolsException(
          "expected to create a cluster directory under " + root + ", but: " + e, e);
    }
  }

  /** See {@link LocalCluster#reapStale(Path)}. */
  static int reapStale(Path root) {
    Path normalized = root.toAbsolutePath().normalize();
    Optional<PgBinaries> binaries = PgBinaries.find();
    int reaped = 0;
    for (Path dir : ClusterDirs.children(normalized)) {
      if (ClusterDirs.ownerIsGone(dir) && ClusterDirs.reap(dir, binaries, ServerUser.current())) {
        reaped++;
      }
    }
    return reaped;
  }

  /** See {@link LocalCluster#runningStrays(Path)}. */
  static List<ProcessHandle> runningStrays(Path root) {
    Path normalized = root.toAbsolutePath().normalize();
    return ClusterDirs.serversUnder(normalized).stream()
        .filter(running -> !ownedByAnotherLiveJvm(running.clusterDir()))
        .map(ClusterDirs.Running::process)
        .collect(Collectors.toList());
  }

  /** See {@link LocalCluster#leftovers()}. */
  static LocalCluster.Leftovers leftovers() {
    Set<Path> roots = new TreeSet<>(ROOTS_USED);
    roots.add(LocalCluster.defaultRoot());
    List<String> open =
        OPEN.stream().map(LocalCluster::toString).sorted().collect(Collectors.toList());
    List<String> processes = new ArrayList<>();
    List<Path> directories = new ArrayList<>();
    for (Path root : roots) {
      for (ClusterDirs.Running running : ClusterDirs.serversUnder(root)) {
        Path dir = running.clusterDir();
        if (!Files.exists(dir) || ClusterDirs.ownedByThisJvm(dir)) {
          ProcessHandle process = running.process();
          processes.add(process.pid() + " " + process.info().commandLine().orElse("postgres"));
        }
      }
      ClusterDirs.children(root).stream()
          .filter(ClusterDirs::ownedByThisJvm)
          .forEach(directories::add);
    }
    return new LocalCluster.Leftovers(open, processes, directories);
  }

  private static boolean ownedByAnotherLiveJvm(Path clusterDir) {
    return Files.exists(clusterDir.resolve(ClusterDirs.OWNER_FILE))
        && !ClusterDirs.ownedByThisJvm(clusterDir)
        && !ClusterDirs.ownerIsGone(clusterDir);
  }

  /** The shutdown hook: stops every open cluster at once, in parallel, and deletes them. */
  private static void closeAllAtExit() {
    List<Thread> closers = new ArrayList<>();
    for (LocalCluster cluster : List.copyOf(OPEN)) {
      Thread closer = new Thread(cluster::close, "runbooks-pg-close-" + cluster.name());
      closer.start();
      closers.add(closer);
    }
    long deadline = System.nanoTime() + EXIT_CLEANUP_TIMEOUT.toNanos();
    for (Thread closer : closers) {
      try {
        closer.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
