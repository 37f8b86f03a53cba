package io.capstan.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code capstan output RUN TASK}: a task's output whole, however large (the run's answer shows a
 * stored output's size and first characters only). A stored output's SHA-256 is checked against the
 * one its task recorded.
 */
@Command(
    name = "output",
    description = "Print a task's whole output (or write it to a file with -f).")
final class OutputCommand extends ApiCommand {
  @Parameters(index = "0", paramLabel = "RUN", description = "The run id.")
  String id;

  @Parameters(index = "1", paramLabel = "TASK", description = "The task's name.")
  String task;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "Write the output to FILE instead of printing it.")
  Path file;

  @Override
  public Integer call() throws Exception {
    String path = runPath(id) + "/tasks/" + ApiClient.segment(task) + "/output";
    MessageDigest sha = sha256();
    HttpHeaders headers;
    if (file != null) {
      Path partial = Files.createTempFile(file.toAbsolutePath().getParent(), ".capstan-", ".part");
      try {
        try (OutputStream sink = new DigestOutputStream(Files.newOutputStream(partial), sha)) {
          headers = client().download(path, sink);
        }
        check(headers, sha);
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(partial);
      }
      err().println("wrote " + Files.size(file) + " bytes to " + file);
      err().flush();
      return 0;
    }
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (OutputStream sink = new DigestOutputStream(buffer, sha)) {
      headers = client().download(path, sink);
    }
    check(headers, sha);
    out().print(buffer.toString(StandardCharsets.UTF_8));
    out().flush();
    return 0;
  }

  private void check(HttpHeaders headers, MessageDigest sha) {
    String expected = headers.firstValue("X-Capstan-Output-Sha256").orElse(null);
    String actual = HexFormat.of().formatHex(sha.digest());
    if (expected != null && !expected.equalsIgnoreCase(actual)) {
      throw new CliException(
          "the output of '"
              + task
              + "' arrived with SHA-256 "
              + actual
              + ", not "
              + expected
              + " as recorded: the transfer was cut or altered; run the command again",
          1);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new UncheckedIOException(new IOException("no SHA-256 in this JVM", e));
    }
  }
}
