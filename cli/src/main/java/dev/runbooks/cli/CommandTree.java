package dev.runbooks.cli;

import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The command tree a command line needs. Picocli reflects every option, mixin and converter of a
 * command when it builds its model: for all ~40 commands, about a third of a cold start. A command
 * line that names a subcommand first needs that one's model only, and {@code --help} and {@code
 * --version} none; the others are stand-ins built from their {@code @Command} annotation (name,
 * description), which is all the root's help shows of them. A command line that starts with an
 * option, names no known command, or asks for shell completion gets the whole tree.
 */
final class CommandTree {
  private static final Set<String> ROOT_ONLY = Set.of("-h", "--help", "-V", "--version");

  /** Commands that read the whole tree: completion scripts list every command and option. */
  private static final Set<String> WHOLE = Set.of("completion");

  private CommandTree() {}

  /** Every command with its model. */
  static CommandLine whole(RunbookCommand root) {
    CommandLine commandLine = new CommandLine(root);
    for (Class<?> subcommand : RunbookCommand.SUBCOMMANDS) {
      commandLine.addSubcommand(subcommand);
    }
    return commandLine;
  }

  /** The tree {@code args} need: see the class comment. */
  static CommandLine forArgs(RunbookCommand root, String... args) {
    String first = args.length == 0 ? "" : args[0];
    boolean rootOnly = args.length == 1 && ROOT_ONLY.contains(first);
    if (!rootOnly && (WHOLE.contains(first) || named(first) == null)) {
      return whole(root);
    }
    CommandLine commandLine = new CommandLine(root);
    for (Class<?> subcommand : RunbookCommand.SUBCOMMANDS) {
      Command command = subcommand.getAnnotation(Command.class);
      if (!rootOnly && command.name().equals(first)) {
        commandLine.addSubcommand(subcommand);
        continue;
      }
      CommandSpec stub = CommandSpec.create().name(command.name()).aliases(command.aliases());
      stub.usageMessage()
          .header(command.header())
          .description(command.description())
          .hidden(command.hidden());
      commandLine.addSubcommand(command.name(), new CommandLine(stub));
    }
    return commandLine;
  }

  /** The subcommand class named {@code name}, or null. */
  private static Class<?> named(String name) {
    for (Class<?> subcommand : RunbookCommand.SUBCOMMANDS) {
      if (subcommand.getAnnotation(Command.class).name().equals(name)) {
        return subcommand;
      }
    }
    return null;
  }
}
