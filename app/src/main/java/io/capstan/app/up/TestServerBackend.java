package io.capstan.app.up;

import io.capstan.api.TemporalInfo;

/** The in-process Java test server ({@link EmbeddedTemporal}) on loopback. */
final class TestServerBackend implements TemporalBackend {
  private static final String HOST = "127.0.0.1";

  private final int port;
  private final String namespace;
  private EmbeddedTemporal server;

  /**
   * @param port its gRPC port; 0 picks a free one
   */
  TestServerBackend(int port, String namespace) {
    this.port = port;
    this.namespace = namespace;
  }

  @Override
  public TemporalInfo start() {
    try {
      server = EmbeddedTemporal.start(HOST, port);
    } catch (RuntimeException e) {
      if (CapstanRuntime.bindFailure(e)) {
        throw new CapstanRuntime.StartupException(
            "port "
                + port
                + " is in use, so the embedded Temporal server cannot start (is another Temporal or"
                + " `capstan up` running?): pick another with --temporal-port, or use that server"
                + " with --temporal HOST:PORT",
            e);
      }
      throw e;
    }
    return new TemporalInfo(HOST + ":" + server.port(), namespace, null, TemporalInfo.TEST_SERVER);
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
      server = null;
    }
  }
}
