package dev.runbooks.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {
      "Prints a shell completion script for runbook's commands and options. The script serves"
          + " bash and zsh alike (zsh through its bashcompinit)."
    },
    footerHeading = "%nExample:%n",
    footer = {
      "  source <(runbook completion bash)      # in ~/.bashrc",
      "  source <(runbook completion zsh)       # in ~/.zshrc",
    })
final class CompletionCommand implements Callable<Integer> {
  /** The shells the script serves. */
  enum Shell {
    BASH,
    ZSH
  }

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "bash|zsh", description = "The shell.")
  Shell shell;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(AutoComplete.bash("runbook", spec.root().commandLine()));
    return ExitCodes.DONE;
  }
}
