package io.capstan.app.cloud;

import io.capstan.activities.cloud.AwsSettings;
import io.capstan.app.process.InstallScript;
import io.capstan.app.process.ManagedProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * The simulated AWS of {@code capstan up}: moto_server on loopback, brought up without keeping
 * anyone waiting. {@link #begin()} returns at once; a background thread installs moto where it is
 * missing ({@code scripts/install-moto.sh}: seconds, from PyPI), starts it as a {@link
 * ManagedProcess} in its folder ({@code moto.log}, {@code moto.pid}), and once it answers hands
 * this object to {@code onReady}. {@link #info()} says where it stands: installing with the
 * install's latest line, starting, ready with the endpoint, or failed and why.
 *
 * <p>moto keeps its state in memory; this one keeps it across restarts of {@code up}. It runs
 * moto's own server through {@code capstan_moto.py}, which appends every request that changes state
 * to {@value #RECORDING} in the folder and replays that file before it listens, so the Auto Scaling
 * groups, launch templates and instances of the last run come back with the same ids, private DNS
 * names and zones (the script's docstring says how). moto's own recorder ({@code
 * MOTO_ENABLE_RECORDING}, {@code /moto-api/recorder/*}) does replay through moto_server, but
 * reproduces ids only from a recording of every request, reads included, in order: each answer
 * draws a request id from the random source the ids come from. With the simulated cloud polling
 * twice a second that file and its replay would grow without end, so it is not used. A {@code POST
 * /moto-api/reset} empties the recording along with moto; deleting the folder starts from nothing.
 *
 * <p>Any credentials reach it; {@link #pointedAt} configures an SDK client builder for it.
 */
public final class LocalAws implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalAws.class);

  /** The region of the simulated cloud: moto has default subnets in us-west-2a to us-west-2d. */
  public static final String DEFAULT_REGION = "us-west-2";

  /** The access key and secret the SDK sends; moto accepts any. */
  public static final String ACCESS_KEY = AwsSettings.SIMULATED_ACCESS_KEY;

  /** The requests that changed state, replayed at start (JSON lines). */
  public static final String RECORDING = "recording.jsonl";

  static final String LAUNCHER_RESOURCE = "/io/capstan/app/cloud/capstan_moto.py";

  /** Where it stands. */
  public enum State {
    INSTALLING,
    STARTING,
    READY,
    FAILED
  }

  /**
   * Where the simulated AWS stands, for {@code up}'s report.
   *
   * @param detail what it is doing (the install's latest line) or why it failed; null when ready
   * @param endpoint {@code http://127.0.0.1:PORT} once ready, else null
   * @param since when it entered {@code state}
   */
  public record Info(State state, String detail, URI endpoint, String region, Instant since) {}

  /**
   * How to run it.
   *
   * @param home the checkout, whose {@code scripts/install-moto.sh} installs moto into {@code
   *     .capstan/tools/moto}
   * @param stateDir its folder, such as {@code STATE_DIR/aws}: log, pid file, recording
   * @param region the region clients are to use
   * @param port the port, or 0 for a free one
   * @param startTimeout how long moto may take to replay the recording and answer
   * @param stopWithJvm whether moto's own JVM shutdown hook stops it; an owner that stops it after
   *     its workers turns this off
   */
  public record Options(
      Path home,
      Path stateDir,
      String region,
      int port,
      Duration startTimeout,
      boolean stopWithJvm) {
    public Options {
      home = home.toAbsolutePath().normalize();
      stateDir = stateDir.toAbsolutePath().normalize();
      region = region == null ? DEFAULT_REGION : region;
      startTimeout = startTimeout == null ? Duration.ofSeconds(120) : startTimeout;
    }

    /** The default region, a free port, stopped with the JVM. */
    public Options(Path home, Path stateDir) {
      this(home, stateDir, null, 0, null, true);
    }

    /** moto's virtual environment. */
    public Path toolsDir() {
      return home.resolve(".capstan").resolve("tools").resolve("moto");
    }

    public Path installScript() {
      return home.resolve("scripts").resolve("install-moto.sh");
    }

    Path python() {
      return toolsDir().resolve("bin").resolve("python");
    }
  }

  private final Options options;
  private final Consumer<LocalAws> onReady;
  private final Consumer<Info> onChange;
  private volatile Info info;
  private Thread thread;
  private Process installer;
  private ManagedProcess moto;
  private boolean closed;

  /**
   * @param onReady given this object once moto answers, from the background thread
   * @param onChange told every change of {@link #info()}
   */
  public LocalAws(Options options, Consumer<LocalAws> onReady, Consumer<Info> onChange) {
    this.options = options;
    this.onReady = onReady;
    this.onChange = onChange;
    this.info = info(State.STARTING, "not started yet", null);
  }

  /** Whether moto is in the checkout's tools folder. */
  public static boolean installed(Options options) {
    Path bin = options.toolsDir().resolve("bin");
    return Files.isExecutable(bin.resolve("python"))
        && Files.isExecutable(bin.resolve("moto_server"));
  }

  /** Starts bringing it up in the background; returns at once. */
  public synchronized void begin() {
    if (thread != null) {
      throw new IllegalStateException("the simulated AWS is already starting");
    }
    boolean installed = installed(options);
    set(
        installed
            ? info(State.STARTING, "starting moto", null)
            : info(State.INSTALLING, "installing moto into " + options.toolsDir(), null));
    thread = new Thread(this::bringUp, "capstan-local-aws");
    thread.setDaemon(true);
    thread.start();
  }

  /** Where it stands now. */
  public Info info() {
    return info;
  }

  /**
   * {@code http://127.0.0.1:PORT}.
   *
   * @throws IllegalStateException before it is ready
   */
  public URI endpoint() {
    Info now = info;
    if (now.endpoint() == null) {
      throw new IllegalStateException(
          "the simulated AWS is not ready: " + now.state() + " (" + now.detail() + ")");
    }
    return now.endpoint();
  }

  public String region() {
    return options.region();
  }

  /** The folder of its log, pid file and recording. */
  public Path stateDir() {
    return options.stateDir();
  }

  /** An SDK client builder for this simulated AWS, once it is ready. */
  public <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> B client(B builder) {
    return pointedAt(builder, endpoint(), region());
  }

  /**
   * Points an SDK client builder at moto: its endpoint, a region, moto's credentials, and the JDK's
   * HTTP client (as the outputs module's S3 client uses).
   */
  public static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> B pointedAt(
      B builder, URI endpoint, String region) {
    builder
        .endpointOverride(endpoint)
        .region(Region.of(region))
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, ACCESS_KEY)));
    builder.httpClientBuilder(UrlConnectionHttpClient.builder());
    return builder;
  }

  private void bringUp() {
    try {
      if (!installed(options)) {
        install();
      }
      synchronized (this) {
        if (closed) {
          return;
        }
      }
      set(info(State.STARTING, "starting moto", null));
      ManagedProcess started = start();
      URI endpoint = URI.create("http://" + started.ports().address("http"));
      synchronized (this) {
        if (closed) {
          started.close();
          return;
        }
        moto = started;
      }
      set(info(State.READY, null, endpoint));
      try {
        onReady.accept(this);
      } catch (RuntimeException e) {
        LOG.warn("the simulated AWS runs, but what uses it did not start: {}", e.toString());
        set(info(State.FAILED, "moto runs, but what uses it did not start: " + e, endpoint));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | IOException e) {
      boolean stopping;
      synchronized (this) {
        stopping = closed;
      }
      if (!stopping) {
        LOG.warn("the simulated AWS did not start: {}", e.getMessage());
        set(info(State.FAILED, e.getMessage(), null));
      }
    }
  }

  /** Runs the install script, its lines going to {@link #info()} and {@code install.log}. */
  private void install() throws IOException, InterruptedException {
    Path script = options.installScript();
    if (!Files.isExecutable(script)) {
      throw new IOException(
          "moto is missing from "
              + options.toolsDir()
              + " and there is no "
              + script
              + " to install it");
    }
    InstallScript install =
        new InstallScript(script, options.home(), options.stateDir().resolve("install.log"));
    synchronized (this) {
      if (closed) {
        return;
      }
      installer = install.start();
    }
    try {
      install.follow(
          line -> {
            if (!line.isBlank()) {
              set(info(State.INSTALLING, line.replaceFirst("^install-moto: ", ""), null));
            }
          });
    } finally {
      synchronized (this) {
        installer = null;
      }
    }
  }

  private ManagedProcess start() throws IOException {
    Path dir = options.stateDir();
    Files.createDirectories(dir);
    Path launcher = dir.resolve("capstan_moto.py");
    try (InputStream in = LocalAws.class.getResourceAsStream(LAUNCHER_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("this build lacks " + LAUNCHER_RESOURCE);
      }
      Files.write(launcher, in.readAllBytes());
    }
    return ManagedProcess.builder("simulated AWS (moto)", dir, "moto")
        .port("http", options.port())
        .command(
            ports ->
                List.of(
                    options.python().toString(),
                    launcher.toString(),
                    "--host",
                    ports.host(),
                    "--port",
                    Integer.toString(ports.get("http")),
                    "--recording",
                    dir.resolve(RECORDING).toString(),
                    "--region",
                    options.region()))
        // A fixed hash seed keeps moto's set iteration, and so a replay, the same on every start.
        .environment(Map.of("PYTHONHASHSEED", "0", "PYTHONUNBUFFERED", "1"))
        .readiness(ports -> answers("http://" + ports.address("http") + "/moto-api/"))
        .startTimeout(options.startTimeout())
        .stopWithJvm(options.stopWithJvm())
        .stopGrace(Duration.ofSeconds(5))
        .start();
  }

  /** Passes once moto answers: it listens only after it replayed the recording. */
  private static ManagedProcess.Readiness answers(String url) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    return () -> {
      try {
        HttpResponse<Void> response =
            client.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding());
        return response.statusCode() == 200
            ? Optional.empty()
            : Optional.of(url + " (HTTP " + response.statusCode() + ")");
      } catch (IOException e) {
        return Optional.of(url);
      }
    };
  }

  private Info info(State state, String detail, URI endpoint) {
    return new Info(state, detail, endpoint, options.region(), Instant.now());
  }

  private void set(Info next) {
    Info previous = info;
    info = next;
    if (previous.state() != next.state()) {
      LOG.info(
          "simulated AWS {}: {}",
          next.state().name().toLowerCase(java.util.Locale.ROOT),
          next.detail() == null ? next.endpoint() : next.detail());
    }
    try {
      onChange.accept(next);
    } catch (RuntimeException e) {
      LOG.warn("a simulated AWS state listener failed: {}", e.toString());
    }
  }

  /** Stops the install (if running) and moto; safe to call again. */
  @Override
  public void close() {
    Process running;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      running = installer;
    }
    if (running != null) {
      running.descendants().forEach(ProcessHandle::destroy);
      running.destroy();
      try {
        running.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (thread != null) {
      try {
        thread.join(Duration.ofSeconds(30).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    ManagedProcess server;
    synchronized (this) {
      server = moto;
      moto = null;
    }
    // Once closed, the bring-up thread stops a moto it starts itself instead of keeping it.
    if (server != null) {
      server.close();
    }
  }
}
