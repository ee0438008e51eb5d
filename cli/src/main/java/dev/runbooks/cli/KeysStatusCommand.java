package dev.runbooks.cli;

import dev.runbooks.activities.backup.NewKeysetGuard;
import dev.runbooks.activities.backup.TransientBackupException;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.config.RunbooksConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Shows where the configured backup key is and whether it is present, and for every backup in"
          + " the repository the key it needs and whether that key is in it. Reads the"
          + " configuration, the key and the repository directly: no Temporal, no worker.",
      "Exits 1 when a backup needs a key that is not present, 2 on a configuration problem."
    },
    footerHeading = "%nExample:%n",
    footer = "  runbook keys status --target orders")
final class KeysStatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand KeysCommand keys;
  @Mixin ConnectionOptions connection;

  @Option(
      names = "--target",
      paramLabel = "NAME",
      description = "Only this target's backups. Default: every backup in the repository.")
  String target;

  /** A backup and the key it needs. */
  record Need(String backup, String keyId, boolean present) {}

  @Override
  public Integer call() throws IOException {
    RunbooksConfig config = connection.loadConfig(keys.root.env());
    if (target != null) {
      config.target(target);
    }
    if (config.repository() == null) {
      throw new UsageException(
          "no backup repository is configured in "
              + config.file()
              + ": set repository: to where the backups are (file:///DIR or s3://BUCKET/PREFIX).");
    }
    KeysCommand.Key key = KeysCommand.Key.of(config);
    List<Need> needs = new ArrayList<>();
    String where;
    try (BackupRepository repository = DecryptCommand.openRepository(config, keys.root.env())) {
      where = repository.describe();
      NewKeysetGuard.backupsByKey(repository)
          .forEach(
              (keyId, backups) -> {
                for (String backup : backups) {
                  if (target == null || backup.startsWith(target + "/")) {
                    needs.add(new Need(backup, keyId, key.keyIds().contains(keyId)));
                  }
                }
              });
    } catch (TransientBackupException e) {
      spec.commandLine().getErr().println("runbook keys status: " + e.getMessage());
      return ExitCodes.RUNBOOK_FAILED;
    }
    needs.sort((a, b) -> a.backup().compareTo(b.backup()));
    long missing = needs.stream().filter(n -> !n.present()).count();
    PrintWriter out = spec.commandLine().getOut();
    if (connection.json()) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("encryption", key.uri());
      json.put("file", key.file() == null ? null : key.file().toString());
      json.put("present", key.problem() == null);
      json.put("problem", key.problem());
      json.put("keyIds", key.keyIds());
      json.put("repository", where);
      json.put("backups", needs);
      out.println(Json.write(json));
    } else {
      print(key, where, needs, out);
    }
    return missing == 0 ? ExitCodes.DONE : ExitCodes.RUNBOOK_FAILED;
  }

  private static void print(KeysCommand.Key key, String where, List<Need> needs, PrintWriter out) {
    out.println("Key:         " + key.uri());
    if (!key.local()) {
      out.println(
          "             held by Vault transit ("
              + String.join(", ", key.keyIds())
              + "); back it up with Vault, not here");
    } else if (key.problem() == null) {
      out.println("             present, holds " + String.join(", ", key.keyIds()));
      out.println(
          "             every backup needs it: keep a copy apart from the backups"
              + " (runbook keys export --to FILE)");
    } else if (key.problem().equals("missing")) {
      out.println(
          "             MISSING: no file at "
              + key.file()
              + (needs.isEmpty()
                  ? "; the first backup creates one"
                  : "; put your copy back there, or point encryption: at it"));
    } else {
      out.println("             NOT USABLE: " + key.problem());
    }
    out.println("Repository:  " + where + " (" + needs.size() + " backups)");
    if (needs.isEmpty()) {
      return;
    }
    int width = needs.stream().mapToInt(n -> n.backup().length()).max().orElse(6);
    out.println("  " + Text.pad("BACKUP", width + 2) + Text.pad("KEY", 24) + "PRESENT");
    for (Need need : needs) {
      out.println(
          "  "
              + Text.pad(need.backup(), width + 2)
              + Text.pad(need.keyId(), 24)
              + (need.present() ? "yes" : "NO: no backup of these can be read"));
    }
  }
}
