package io.capstan.app.up;

import io.capstan.api.TemporalInfo;
import java.util.Optional;

/**
 * The Temporal CLI's dev server as a child process. The runtime stops it from its own shutdown
 * hook, after its workers, so the workers do not lose their server while they wind down.
 */
final class DevServerBackend implements TemporalBackend {
  private final DevServer.Options options;
  private DevServer server;

  /**
   * @param options how to start it, with {@code stopWithJvm} off: the runtime stops it
   */
  DevServerBackend(DevServer.Options options) {
    this.options = options;
  }

  @Override
  public TemporalInfo start() {
    server = DevServer.start(options);
    return new TemporalInfo(
        server.address(), options.namespace(), server.uiUrl(), TemporalInfo.DEV_SERVER);
  }

  @Override
  public boolean childProcess() {
    return true;
  }

  @Override
  public Optional<DevServer> devServer() {
    return Optional.ofNullable(server);
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}
