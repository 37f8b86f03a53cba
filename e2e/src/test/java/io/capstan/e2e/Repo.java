package io.capstan.e2e;

import io.capstan.testkit.Checkout;
import java.nio.file.Path;

/** Where the project's checkout is: the build passes it; a run from the IDE starts in e2e/. */
final class Repo {
  private Repo() {}

  static Path root() {
    return Checkout.root();
  }

  /** {@code e2e/target}, where logs and screenshots stay after the build. */
  static Path target() {
    return root().resolve("e2e").resolve("target");
  }
}
