package io.capstan.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code moto_server} (the simulated AWS, installed by {@code scripts/install-moto.sh} into
 * {@code .capstan/tools/moto}) on a free loopback port, for tests that drive the real AWS SDK. It
 * keeps its state in memory, so every instance starts empty; {@link #close} stops the process.
 */
public final class MotoServer implements AutoCloseable {
  /** What the AWS SDK needs to reach moto: any credentials and a region. */
  public static final String ACCESS_KEY = "testing";

  public static final String REGION = "us-east-1";

  private final Process process;
  private final int port;
  private final Path log;

  private MotoServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** The pinned moto_server of this checkout. */
  public static Path binary() {
    return Checkout.root().resolve(".capstan/tools/moto/bin/moto_server");
  }

  /**
   * Starts moto_server and waits until it accepts connections.
   *
   * @throws IllegalStateException naming the install script when moto is not installed, or with the
   *     server's log when it does not come up within 30 seconds
   */
  public static MotoServer start() throws IOException {
    Path binary = binary();
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(
          binary + " is missing: run scripts/install-moto.sh (./test.sh runs it)");
    }
    int port = FreePorts.next();
    Path log = Files.createTempFile("moto-", ".log");
    Process process =
        new ProcessBuilder(binary.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    MotoServer server = new MotoServer(process, port, log);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("moto_server exited: " + Files.readString(log));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return server;
      } catch (IOException notYet) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          server.close();
          throw new IOException("interrupted while moto_server started", e);
        }
      }
    }
    server.close();
    throw new IllegalStateException(
        "moto_server did not listen within 30 s: " + Files.readString(log));
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public int port() {
    return port;
  }

  /**
   * Sets the AWS SDK's system properties (credentials and region) for this JVM, so clients built
   * with the default provider chain reach moto as they would AWS.
   */
  public MotoServer useForAwsSdk() {
    System.setProperty("aws.accessKeyId", ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", ACCESS_KEY);
    System.setProperty("aws.region", REGION);
    return this;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException ignored) {
      // A temporary log left behind harms nothing.
    }
  }
}
