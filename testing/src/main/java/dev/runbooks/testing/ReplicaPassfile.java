package dev.runbooks.testing;

import dev.runbooks.pgtools.PgToolsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves a new replica's replication password out of primary_conninfo (where pg_basebackup -R put
 * it) into a passfile in the replica's directory, as an operator should keep it: a password in a
 * setting reaches the server log whenever the setting is changed, and a failover refuses to repoint
 * such a replica. The passfile matches every host and port, so the replica still logs in once
 * repointed to another server of the same throwaway set.
 */
final class ReplicaPassfile {
  static final String FILE = "replication.pgpass";

  private ReplicaPassfile() {}

  static void write(
      Path clusterDir, Path dataDir, String password, ServerUser user, String host, int port) {
    Path passfile = clusterDir.resolve(FILE);
    Path auto = dataDir.resolve("postgresql.auto.conf");
    try {
      Files.createFile(
          passfile,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      String escaped = password.replace("\\", "\\\\").replace(":", "\\:");
      Files.writeString(
          passfile,
          "*:*:*:" + LocalCluster.SUPERUSER + ":" + escaped + "\n",
          StandardCharsets.UTF_8);
      user.own(passfile);
      List<String> lines = new ArrayList<>();
      for (String line : Files.readAllLines(auto, StandardCharsets.UTF_8)) {
        if (!line.strip().startsWith("primary_conninfo")) {
          lines.add(line);
        }
      }
      lines.add(
          "primary_conninfo = 'user="
              + LocalCluster.SUPERUSER
              + " passfile=''"
              + passfile
              + "'' host="
              + host
              + " port="
              + port
              + "'");
      Files.write(auto, lines, StandardCharsets.UTF_8); // in place: the file keeps its owner
    } catch (IOException e) {
      throw new PgToolsException(
          "could not move the replication password of " + dataDir + " into " + passfile, e);
    }
  }
}
