package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Copies the local backup keyset (encryption: local-keyset:FILE) to a new file, mode 0600,"
          + " for safekeeping apart from the backups: without it no backup can be read. Never"
          + " overwrites: the file must not exist.",
      "A key held by Vault transit is backed up with Vault; this refuses it (exit 2)."
    },
    footerHeading = "%nExample:%n",
    footer = "  runbook keys export --to /mnt/safe/backup-keyset.json")
final class KeysExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand KeysCommand keys;
  @Mixin ConnectionOptions connection;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "FILE",
      description = "Where to write the copy; must not exist.")
  Path to;

  @Override
  public Integer call() throws IOException {
    RunbooksConfig config = connection.loadConfig(keys.root.env());
    KeysCommand.Key key = KeysCommand.Key.of(config);
    if (!key.local()) {
      throw new UsageException(
          "the backup key "
              + key.uri()
              + " is held by Vault transit, not in a file: back it up with Vault (an exportable"
              + " key, or a snapshot of Vault's storage).");
    }
    if (key.problem() != null) {
      throw new UsageException(
          "the backup key file "
              + key.file()
              + (key.problem().equals("missing")
                  ? " does not exist (encryption: in " + config.file() + "): nothing to export."
                  : " cannot be used: " + key.problem()));
    }
    Path dir = to.toAbsolutePath().getParent();
    if (Files.exists(to)) {
      throw new UsageException("--to " + to + " exists: give a new file; nothing is overwritten.");
    }
    if (dir == null || !Files.isDirectory(dir)) {
      throw new UsageException("--to " + to + ": the directory " + dir + " does not exist.");
    }
    byte[] keyset = Files.readAllBytes(key.file());
    Path partial = Files.createTempFile(dir, "." + to.getFileName() + "-", ".partial");
    try {
      try {
        Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system: the directory's own permissions protect the copy.
      }
      Files.write(partial, keyset);
      // A link fails when the name was taken meanwhile: still nothing overwritten.
      Files.createLink(to, partial);
    } catch (FileAlreadyExistsException e) {
      throw new UsageException("--to " + to + " exists: give a new file; nothing is overwritten.");
    } finally {
      Files.deleteIfExists(partial);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (connection.json()) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("file", key.file().toString());
      json.put("copy", to.toAbsolutePath().toString());
      json.put("keyIds", key.keyIds());
      out.println(Json.write(json));
    } else {
      out.println(
          "Copied the backup keyset "
              + key.file()
              + " ("
              + String.join(", ", key.keyIds())
              + ") to "
              + to
              + " (mode 0600).");
      out.println(
          "Keep the copy somewhere safe and apart from the backups: whoever has it and the"
              + " repository can read every backup, and without it nobody can.");
    }
    return ExitCodes.DONE;
  }
}
