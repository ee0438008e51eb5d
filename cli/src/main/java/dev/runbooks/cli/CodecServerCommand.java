package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.worker.PayloadConverters;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
    name = "codec-server",
    mixinStandardHelpOptions = true,
    description = {
      "Serves Temporal's codec-server protocol (POST /encode, POST /decode) with the"
          + " configuration's payload key, so the Temporal UI and CLI show encrypted runs in plain"
          + " text to whoever holds the access token.",
      "The token comes from --token-file or $RUNBOOKS_CODEC_TOKEN; a request without it gets 401."
    },
    footerHeading = "%nExample:%n",
    footer = {
      "  RUNBOOKS_CODEC_TOKEN=$(cat /etc/runbooks/codec-token) runbook codec-server \\",
      "      --listen 0.0.0.0:8081 --cors-origin https://temporal-ui.internal"
    })
final class CodecServerCommand implements Callable<Integer>, Logs.Foreground {
  static final String TOKEN_ENV = "RUNBOOKS_CODEC_TOKEN";

  @Spec CommandSpec spec;
  @ParentCommand RunbookCommand root;
  @Mixin ConfigOption config;

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      description = "Where to listen. Default: 127.0.0.1:8081.")
  String listen = "127.0.0.1:8081";

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "A file holding the access token. Default: $" + TOKEN_ENV + ".")
  Path tokenFile;

  @Option(
      names = "--cors-origin",
      paramLabel = "ORIGIN",
      description =
          "An origin whose pages may call the server (repeatable). Default: the UI of"
              + " docker compose, http://localhost:8080.")
  List<String> origins = List.of("http://localhost:8080");

  @Override
  public Integer call() throws Exception {
    Map<String, String> env = root.env();
    String token = token(env);
    RunbooksConfig loaded = config.loadConfig(env);
    CodecServer server =
        CodecServer.start(address(listen), PayloadConverters.codec(loaded), token, origins);
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "Codec server on http://"
            + listen.substring(0, listen.lastIndexOf(':') + 1)
            + server.port()
            + " for the key of "
            + loaded.file()
            + ", allowing "
            + String.join(", ", origins)
            + ". Stop it with Ctrl-C.");
    out.flush();
    Foreground.runUntilStopped(server::close);
    return ExitCodes.DONE;
  }

  private String token(Map<String, String> env) throws IOException {
    String token;
    if (tokenFile != null) {
      if (!Files.isReadable(tokenFile)) {
        throw new UsageException(
            "--token-file " + tokenFile + " is not a readable file: give the token's file.");
      }
      token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
    } else {
      token = env.getOrDefault(TOKEN_ENV, "").strip();
    }
    if (token.length() < 16) {
      throw new UsageException(
          "the codec server needs an access token of at least 16 characters: set "
              + TOKEN_ENV
              + " or --token-file (e.g. from openssl rand -hex 32); it has "
              + (token.isEmpty() ? "none" : "a shorter one")
              + ".");
    }
    return token;
  }

  static InetSocketAddress address(String listen) {
    int colon = listen.lastIndexOf(':');
    try {
      int port = Integer.parseInt(listen.substring(colon + 1));
      if (colon > 0 && port >= 0 && port < 65536) {
        return new InetSocketAddress(listen.substring(0, colon), port);
      }
    } catch (NumberFormatException e) {
      // worded below
    }
    throw new UsageException(
        "--listen \"" + listen + "\" is not HOST:PORT: give one like 127.0.0.1:8081.");
  }
}
