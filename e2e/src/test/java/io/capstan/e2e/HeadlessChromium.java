package io.capstan.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Debian's Chromium, headless, as the Web UI test drives it: each run gets a fresh profile, and the
 * flags keep it from reaching for the network beyond the page (the closed network here refuses such
 * requests, which would otherwise stall the page). A virtual-time budget lets the UI's single-page
 * app fetch from the server and render before the DOM or screenshot is taken.
 */
final class HeadlessChromium {
  static final Path BINARY = Path.of("/usr/bin/chromium");
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final List<String> FLAGS =
      List.of(
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--virtual-time-budget=15000");

  private HeadlessChromium() {}

  /** The DOM of {@code url} after its scripts ran. */
  static String dumpDom(String url) {
    return run(List.of("--dump-dom", url)).stdout();
  }

  /** A PNG of {@code url} in a 1600×1000 window. */
  static void screenshot(String url, Path png) {
    run(List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=1600,1000", url));
  }

  private static CommandResult run(List<String> args) {
    if (!Files.isExecutable(BINARY)) {
      throw new AssertionError(
          "no Chromium at " + BINARY + ": run ./test.sh (it installs Debian's chromium)");
    }
    Path profile;
    try {
      profile = Files.createTempDirectory("e2e-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      List<String> command = new ArrayList<>();
      command.add(BINARY.toString());
      command.addAll(FLAGS);
      command.add("--user-data-dir=" + profile);
      command.addAll(args);
      return CommandResult.run(TIMEOUT, command).succeeded();
    } finally {
      deleteTree(profile);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // A leftover profile in the temp folder is harmless.
    }
  }
}
