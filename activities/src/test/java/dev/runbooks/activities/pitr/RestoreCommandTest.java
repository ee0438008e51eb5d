package dev.runbooks.activities.pitr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore command a point-in-time restore gives PostgreSQL, run by {@code /bin/sh} as the
 * server runs it: it waits for a WAL file that is still being fetched, so recovery can start before
 * the fetch ends, and never answers "no such file" for one (which would end recovery there).
 */
class RestoreCommandTest {
  private static final String SEGMENT = "000000010000000000000007";

  @TempDir Path dir;

  /** Runs the command as PostgreSQL does, with %f and %p replaced; the shell's process. */
  private Process run(Path walDir, String file, Path into) throws Exception {
    String command =
        RecoveryConfig.restoreCommand(walDir).replace("%f", file).replace("%p", into.toString());
    return new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true).start();
  }

  private Path walDir() throws Exception {
    Path walDir = Files.createDirectories(dir.resolve("wal"));
    Files.write(walDir.resolve(WalFetch.PLANNED), List.of("000000010000000000000006", SEGMENT));
    Files.writeString(walDir.resolve(WalFetch.FETCHING), "");
    return walDir;
  }

  @Test
  void waitsForAnAnnouncedFileStillBeingFetchedThenCopiesIt() throws Exception {
    Path walDir = walDir();
    Path into = dir.resolve("RECOVERYXLOG");
    Process p = run(walDir, SEGMENT, into);
    assertFalse(p.waitFor(1, TimeUnit.SECONDS), "it waited for the file being fetched");
    assertFalse(Files.exists(into));

    byte[] wal = new byte[] {1, 2, 3, 4};
    Path temp = Files.write(walDir.resolve("." + SEGMENT + ".fetching"), wal);
    Files.move(temp, walDir.resolve(SEGMENT), StandardCopyOption.ATOMIC_MOVE);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "it copied the file once it was there");
    assertEquals(0, p.exitValue());
    assertArrayEquals(wal, Files.readAllBytes(into));
    // On one file system the server gets a hard link: no copy while replay waits for it.
    assertTrue(Files.isSameFile(walDir.resolve(SEGMENT), into));
  }

  @Test
  void answersNoSuchFileAtOnceForWhatIsNotComingAndOnceTheFetchHasEnded() throws Exception {
    Path walDir = walDir();
    Path into = dir.resolve("RECOVERYXLOG");
    // The server probes for newer timelines' history files: never announced, never waited for.
    Process history = run(walDir, "00000002.history", into);
    assertTrue(history.waitFor(30, TimeUnit.SECONDS));
    assertTrue(history.exitValue() != 0);

    Process waiting = run(walDir, SEGMENT, into);
    assertFalse(waiting.waitFor(1, TimeUnit.SECONDS));
    // The fetch ended (the target's segment was found earlier): the rest is the archive's end.
    Files.delete(walDir.resolve(WalFetch.FETCHING));
    assertTrue(waiting.waitFor(30, TimeUnit.SECONDS));
    assertTrue(waiting.exitValue() != 0);
    assertFalse(Files.exists(into));
  }

  @Test
  void keepsWaitingAfterAFailedFetchSoRecoveryNeverEndsAtTheBadFile() throws Exception {
    Path walDir = walDir();
    // A failed fetch leaves .fetching and writes nothing under the file's name.
    Files.writeString(walDir.resolve("." + SEGMENT + ".fetching"), "half");
    Process p = run(walDir, SEGMENT, dir.resolve("RECOVERYXLOG"));
    assertFalse(p.waitFor(2, TimeUnit.SECONDS), "still waiting: the caller stops the server");
    p.destroyForcibly();
  }
}
