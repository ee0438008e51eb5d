package dev.runbooks.cli;

import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.activities.backup.crypto.KeysetCreation;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.crypto.VaultTransitKek;
import dev.runbooks.activities.config.EncryptionSpec;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.worker.Activities;
import dev.runbooks.workflows.shared.FailureType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * The backup encryption key, which every backup needs: whether it is where the configuration says,
 * which key each backup needs, and a copy of it for safekeeping. Read here, without Temporal.
 */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = {
      "The backup encryption key: every backup needs it, and losing it makes every backup"
          + " unreadable. 'keys status' shows which key each backup needs and whether it is"
          + " present; 'keys export' copies a local keyset somewhere safe."
    },
    subcommands = {KeysStatusCommand.class, KeysExportCommand.class},
    footerHeading = "%nExamples:%n",
    footer = {
      "  runbook keys status --target orders",
      "  runbook keys export --to /mnt/safe/backup-keyset.json"
    })
final class KeysCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand RunbookCommand root;

  @Override
  public Integer call() {
    throw new ParameterException(
        spec.commandLine(), "a subcommand is missing: runbook keys status, or runbook keys export");
  }

  /**
   * For a backup started and not followed, whose result this command will not see: when the local
   * keyset does not exist here, the backup may create it (if the worker runs here), and it must
   * then be copied.
   */
  static Optional<String> firstBackupNote(RunbooksConfig config) {
    Key key = Key.of(config);
    if (!key.local() || !"missing".equals(key.problem())) {
      return Optional.empty();
    }
    return Optional.of(
        "NOTE: the backup key file "
            + key.file()
            + " does not exist here. If this backup's worker runs on this machine and the"
            + " repository is empty, the backup creates it: copy it somewhere safe then, apart"
            + " from the backups (runbook keys export --to FILE). 'runbook watch ID' shows where"
            + " it was made.");
  }

  /**
   * The configured key as this machine sees it.
   *
   * @param uri the configuration's {@code encryption:} value
   * @param file the local keyset file; null for a key held by Vault
   * @param keyIds the ids of the keys in the file (empty when it is missing), or the Vault key's
   * @param problem why the file cannot be used, or null
   */
  record Key(String uri, Path file, Set<String> keyIds, String problem) {
    static Key of(RunbooksConfig config) {
      EncryptionSpec spec = Activities.encryption(config);
      if (spec instanceof EncryptionSpec.VaultTransit vault) {
        return new Key(spec.uri(), null, Set.of(VaultTransitKek.SCHEME + vault.key()), null);
      }
      Path file = ((EncryptionSpec.LocalKeyset) spec).file();
      if (!Files.isRegularFile(file)) {
        return new Key(spec.uri(), file, Set.of(), "missing");
      }
      try {
        // Never made here: a keyset that vanished meanwhile is reported missing, not replaced.
        KeysetCreation never =
            missing -> {
              throw new PermanentBackupException(FailureType.BAD_INPUT, "missing");
            };
        return new Key(spec.uri(), file, LocalKeysetKek.open(file, never).keyIds(), null);
      } catch (PermanentBackupException e) {
        return new Key(spec.uri(), file, Set.of(), e.getMessage());
      }
    }

    boolean local() {
      return file != null;
    }
  }
}
