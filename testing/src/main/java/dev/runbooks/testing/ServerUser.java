package dev.runbooks.testing;

import dev.runbooks.pgtools.Command;
import dev.runbooks.pgtools.PgToolsException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Who the server programs run as. initdb, pg_ctl and postgres refuse to run as root, so a JVM
 * running as root hands its cluster directories to the OS user {@code postgres} and runs those
 * programs through {@code runuser -u postgres --}; anyone else runs them directly.
 */
public final class ServerUser {
  static final String POSTGRES = "postgres";

  private static volatile ServerUser current;

  private final boolean root;

  private ServerUser(boolean root) {
    this.root = root;
  }

  public static ServerUser current() {
    ServerUser user = current;
    if (user == null) {
      user = new ServerUser(detectRoot());
      current = user;
    }
    return user;
  }

  public boolean isRoot() {
    return root;
  }

  /** The argument list that runs {@code argv} as the server's user. */
  public List<String> wrap(List<String> argv) {
    if (!root) {
      return argv;
    }
    List<String> wrapped = new ArrayList<>(List.of(runuser(), "-u", POSTGRES, "--"));
    wrapped.addAll(argv);
    return wrapped;
  }

  /** Hands {@code path} to the server's user, when that is not us. */
  public void own(Path path) {
    if (!root) {
      return;
    }
    try {
      Files.setOwner(path, postgresPrincipal());
    } catch (IOException e) {
      throw new PgToolsException(
          "expected to hand " + path + " to the OS user postgres, but: " + e.getMessage(), e);
    }
  }

  /**
   * Makes sure the server's user can reach {@code clusterDir}: it must be able to traverse every
   * directory above it. The cluster root itself is ours to open up (a temporary directory is
   * created 0700); a directory above it is not, so that one gets an error naming the fix.
   */
  void ensureReachable(Path clusterRoot) {
    if (!root) {
      return;
    }
    UserPrincipal postgres = postgresPrincipal();
    for (Path dir = clusterRoot; dir != null; dir = dir.getParent()) {
      PosixFileAttributes attributes;
      try {
        attributes = Files.readAttributes(dir, PosixFileAttributes.class);
      } catch (UnsupportedOperationException | IOException e) {
        return;
      }
      Set<PosixFilePermission> permissions = attributes.permissions();
      boolean ownedByPostgres = attributes.owner().getName().equals(postgres.getName());
      boolean reachable =
          ownedByPostgres
              ? permissions.contains(PosixFilePermission.OWNER_EXECUTE)
              : permissions.contains(PosixFilePermission.OTHERS_EXECUTE);
      if (reachable) {
        continue;
      }
      if (dir.equals(clusterRoot)) {
        Set<PosixFilePermission> opened = EnumSet.copyOf(permissions);
        opened.add(PosixFilePermission.OTHERS_EXECUTE);
        try {
          Files.setPosixFilePermissions(dir, opened);
        } catch (IOException e) {
          throw new PgToolsException(
              "expected to let the OS user postgres traverse " + dir + ", but: " + e.getMessage(),
              e);
        }
      } else {
        throw new PgToolsException(
            "expected the OS user postgres (which runs the throwaway PostgreSQL servers, since"
                + " PostgreSQL refuses to run as root) to be able to reach "
                + clusterRoot
                + ", but it cannot traverse "
                + dir
                + ". Run `chmod o+x "
                + dir
                + "`, or choose a base directory under /tmp.");
      }
    }
  }

  private static UserPrincipal postgresPrincipal() {
    try {
      return FileSystems.getDefault()
          .getUserPrincipalLookupService()
          .lookupPrincipalByName(POSTGRES);
    } catch (UserPrincipalNotFoundException e) {
      throw new PgToolsException(
          "expected an OS user named postgres to run the throwaway PostgreSQL servers (this JVM"
              + " runs as root, and PostgreSQL refuses to run as root), but there is none. Create"
              + " it (`useradd --system --home /var/lib/postgresql postgres`; the postgresql"
              + " package does this) or run as a normal user.",
          e);
    } catch (IOException e) {
      throw new PgToolsException("could not look up the OS user postgres: " + e.getMessage(), e);
    }
  }

  private static String runuser() {
    for (String candidate : List.of("/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    return "runuser";
  }

  private static boolean detectRoot() {
    try {
      // /proc/self belongs to this process's effective user; no process needed to ask.
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      if (uid instanceof Integer) {
        return (Integer) uid == 0;
      }
    } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
      // not Linux: ask id
    }
    try {
      Command.Result id = Command.of(List.of("id", "-u")).run(Duration.ofSeconds(10));
      if (id.exitCode() == 0) {
        return id.output().strip().equals("0");
      }
    } catch (PgToolsException e) {
      // fall through to the user name
    }
    return "root".equals(System.getProperty("user.name"));
  }
}
