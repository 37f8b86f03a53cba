package io.capstan.testkit;

import java.nio.file.Path;

/**
 * Where the project's checkout is: the build passes it as {@code capstan.root}; otherwise tests run
 * in their module's folder (Surefire and Failsafe do), one level below it.
 */
public final class Checkout {
  private Checkout() {}

  public static Path root() {
    String configured = System.getProperty("capstan.root");
    Path root = configured == null ? Path.of("..") : Path.of(configured);
    return root.toAbsolutePath().normalize();
  }
}
