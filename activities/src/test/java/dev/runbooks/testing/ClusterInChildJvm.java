package dev.runbooks.testing;

import java.nio.file.Path;

/**
 * A JVM that starts a cluster under the root in {@code args[0]}, prints its data directory and
 * postmaster pid, and waits to be killed: LocalClusterTest checks what its death leaves behind.
 */
public final class ClusterInChildJvm {
  private ClusterInChildJvm() {}

  public static void main(String[] args) throws InterruptedException {
    LocalCluster cluster = LocalCluster.builder().baseDir(Path.of(args[0])).name("child").start();
    // stdout is how this process answers its parent: the test reads these two lines.
    System.out.println("DATA_DIR=" + cluster.dataDir());
    System.out.println("POSTMASTER_PID=" + cluster.postmasterPid());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
