package io.capstan.app.up;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The in-process Java test server, served over gRPC on one address only.
 *
 * <p>The SDK's {@code TestServer.createPortBoundServer} listens on every interface; Capstan's
 * embedded server is for this machine alone, so this binds the same services to the address asked
 * for (loopback by default). Time skipping is locked: timers fire in real time, as on a real
 * server.
 */
final class EmbeddedTemporal implements AutoCloseable {
  private final TestServicesStarter services;
  private final Server server;

  private EmbeddedTemporal(TestServicesStarter services, Server server) {
    this.services = services;
    this.server = server;
  }

  /**
   * Starts the server on {@code host:port}; port 0 picks a free one.
   *
   * @throws UncheckedIOException when the address cannot be bound (e.g. the port is taken)
   */
  static EmbeddedTemporal start(String host, int port) {
    TestServicesStarter services = new TestServicesStarter(true, 0);
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port));
    // The same services and health checks the SDK registers; the health check is what
    // WorkflowServiceStubs polls when it connects.
    GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
    Server server = builder.build();
    try {
      server.start();
    } catch (IOException e) {
      services.close();
      throw new UncheckedIOException(e);
    }
    return new EmbeddedTemporal(services, server);
  }

  /** The port it listens on: the one asked for, or the one picked for 0. */
  int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    services.close();
  }
}
