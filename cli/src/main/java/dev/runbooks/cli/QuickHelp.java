package dev.runbooks.cli;

import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code runbook --help} and {@code --version} without the subcommands' models. Picocli reflects
 * every option, mixin and converter of every command when it builds the tree, about a third of a
 * cold start; the root's help needs only each command's name and description, which its
 * {@code @Command} annotation holds. Any other command line gets the whole tree.
 */
final class QuickHelp {
  private static final Set<String> ROOT_ONLY = Set.of("-h", "--help", "-V", "--version");

  private QuickHelp() {}

  /** Whether {@code args} ask only the root for its help or version. */
  static boolean applies(String... args) {
    return args.length == 1 && ROOT_ONLY.contains(args[0]);
  }

  /** The root command with each subcommand as its name and description only. */
  static CommandLine commandLine(RunbookCommand root) {
    CommandLine commandLine = new CommandLine(root);
    for (Class<?> subcommand : RunbookCommand.SUBCOMMANDS) {
      Command command = subcommand.getAnnotation(Command.class);
      CommandSpec stub = CommandSpec.create().name(command.name()).aliases(command.aliases());
      stub.usageMessage()
          .header(command.header())
          .description(command.description())
          .hidden(command.hidden());
      commandLine.addSubcommand(command.name(), new CommandLine(stub));
    }
    return commandLine;
  }
}
