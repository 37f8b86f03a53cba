package io.capstan.app;

import io.capstan.api.auth.TokenHashes;
import io.capstan.cli.CliException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code capstan token}: helps an operator configure the API's bearer tokens. */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = "Work with the API's bearer tokens.",
    subcommands = {TokenCommand.Hash.class})
final class TokenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 0;
  }

  /**
   * {@code capstan token hash}: the hex SHA-256 of a token read from stdin, as a tokens file stores
   * it. Reading stdin keeps the token out of the shell history and the process list.
   */
  @Command(
      name = "hash",
      mixinStandardHelpOptions = true,
      description = {
        "Print the SHA-256 (hex) of a token read from stdin, for the sha256 field of a tokens file"
            + " or CAPSTAN_TOKENS. Surrounding whitespace and the final newline are ignored.",
        "Example: head -c 32 /dev/urandom | base64 | tee alice.token | capstan token hash"
      })
  static final class Hash implements Callable<Integer> {
    /** The largest token read; a longer input is not a token. */
    static final int MAX_TOKEN = 4096;

    @Spec CommandSpec spec;

    InputStream in = System.in;

    @Override
    public Integer call() {
      String token;
      try {
        byte[] bytes = in.readNBytes(MAX_TOKEN + 1);
        if (bytes.length > MAX_TOKEN) {
          throw new CliException("a token is at most " + MAX_TOKEN + " bytes", 2);
        }
        token = new String(bytes, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new CliException("cannot read the token from stdin: " + e.getMessage(), 2);
      }
      if (token.isEmpty()) {
        throw new CliException(
            "no token on stdin: pipe it in, e.g. printf %s \"$TOKEN\" | capstan token hash", 2);
      }
      spec.commandLine().getOut().println(TokenHashes.sha256Hex(token));
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
