package io.capstan.app.up;

import io.capstan.api.TemporalInfo;
import java.util.Optional;

/**
 * Where the runtime's Temporal comes from: an external server ({@link ExternalBackend}), the
 * Temporal CLI's dev server as a child process ({@link DevServerBackend}), or the in-process Java
 * test server ({@link TestServerBackend}). The runtime picks one, starts it before anything else
 * and closes it after everything else.
 */
interface TemporalBackend extends AutoCloseable {
  /**
   * Starts the server, or names the one that runs already.
   *
   * @return where it is and what kind it is
   * @throws CapstanRuntime.StartupException when it cannot start; nothing is left running
   */
  TemporalInfo start();

  /**
   * Whether the server is a child process, which outlives this JVM unless stopped: the runtime then
   * stops everything itself when the JVM exits, its workers before the server.
   */
  default boolean childProcess() {
    return false;
  }

  /** The dev server, when this backend runs one. */
  default Optional<DevServer> devServer() {
    return Optional.empty();
  }

  /** Stops what {@link #start()} started; safe after a failed start and to call again. */
  @Override
  void close();
}
