package io.capstan.bench;

import io.capstan.api.auth.SubmitRate;
import io.capstan.app.up.AuthMode;
import io.capstan.app.up.CapstanRuntime;
import io.capstan.app.up.SecurityOptions;
import io.capstan.app.up.TemporalMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the benchmarks share: their flags and the Capstan runtime those flags ask for. */
final class BenchSetup {
  private BenchSetup() {}

  /**
   * The runtime {@code --temporal HOST:PORT} (an external server) or {@code --temporal-mode
   * test-server|dev-server} asks for, {@code defaultMode} when neither is given; a dev server gets
   * a fresh state folder, so earlier runs do not weigh on this one.
   */
  static CapstanRuntime.Config config(String[] args, String defaultMode) throws IOException {
    String temporal = stringFlag(args, "--temporal", null);
    TemporalMode mode = TemporalMode.fromFlag(stringFlag(args, "--temporal-mode", defaultMode));
    if (temporal != null) {
      return CapstanRuntime.Config.external(0, temporal, null);
    }
    if (mode == TemporalMode.TEST_SERVER) {
      return CapstanRuntime.Config.embedded(0, 0);
    }
    Path state = Files.createTempDirectory("capstan-bench-state");
    return new CapstanRuntime.Config(
        "127.0.0.1", 0, null, 0, "default", null, null, mode, 0, state, null, null, null, null);
  }

  /**
   * {@code config} without authentication and without the API's per-token submit limit ({@code
   * --submit-rate}), which is what an operator sets and would otherwise be what is measured.
   */
  static CapstanRuntime.Config unlimited(CapstanRuntime.Config config) {
    return config.withSecurity(
        new SecurityOptions(
            AuthMode.OFF, null, SubmitRate.UNLIMITED, false, List.of(), null, null));
  }

  static int intFlag(String[] args, String name, int fallback) {
    String value = stringFlag(args, name, null);
    return value == null ? fallback : Integer.parseInt(value);
  }

  static String stringFlag(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }
}
