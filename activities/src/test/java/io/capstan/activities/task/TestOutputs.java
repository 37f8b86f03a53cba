package io.capstan.activities.task;

import io.capstan.outputs.LocalOutputStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** Output stores for executor tests: a fresh folder under the system's temporary directory. */
final class TestOutputs {
  private TestOutputs() {}

  static Outputs temporary() {
    try {
      return new Outputs(new LocalOutputStore(Files.createTempDirectory("capstan-outputs-")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
