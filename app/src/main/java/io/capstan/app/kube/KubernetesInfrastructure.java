package io.capstan.app.kube;

import io.capstan.api.KubernetesInfo;
import io.capstan.app.process.InstallScript;
import io.capstan.workers.KubeTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster of {@code container} tasks as {@code capstan up} brings it up, without keeping anyone
 * waiting: for the local cluster, a background thread installs the binaries where they are missing
 * ({@code scripts/install-kubernetes.sh}: 10-16 minutes cold), starts the control plane and kwok,
 * then hands the worker's cluster to {@code onReady}, which starts the infrastructure worker. Until
 * then container tasks wait durably in their task queue. {@link #info()} says where it stands
 * (installing with the install's latest progress line, starting, ready, failed and why).
 */
public final class KubernetesInfrastructure implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesInfrastructure.class);

  private final KubeOptions options;
  private final Path stateDir;
  private final Consumer<KubeTarget> onReady;
  private final Consumer<KubernetesInfo> onChange;
  private volatile KubernetesInfo info;
  private Thread thread;
  private Process installer;
  private LocalKubernetes local;
  private KubeTarget target;
  private boolean closed;

  /**
   * @param stateDir the folder of the local cluster (etcd data, certificates, kubeconfigs, logs)
   * @param onReady given the cluster the worker is to use, once it serves
   * @param onChange told every change of {@link #info()}
   */
  public KubernetesInfrastructure(
      KubeOptions options,
      Path stateDir,
      Consumer<KubeTarget> onReady,
      Consumer<KubernetesInfo> onChange) {
    this.options = options;
    this.stateDir = stateDir.toAbsolutePath().normalize();
    this.onReady = onReady;
    this.onChange = onChange;
    this.info = KubernetesInfo.disabled("--no-local-infra: no cluster for container tasks");
  }

  /** Starts bringing the cluster up; returns at once for the local cluster. */
  public synchronized void begin() {
    switch (options.mode()) {
      case NONE ->
          set(KubernetesInfo.disabled("no cluster for container tasks (--no-local-infra)"));
      case EXTERNAL -> connectExternal();
      case LOCAL -> {
        boolean installed = LocalKubernetes.installed(options.binDir());
        set(
            info(
                installed ? KubernetesInfo.STARTING : KubernetesInfo.INSTALLING,
                installed
                    ? "starting the local control plane"
                    : "building Kubernetes into "
                        + options.binDir()
                        + " (10-16 minutes the first time)",
                null,
                null));
        thread = new Thread(this::bringUpLocal, "capstan-local-kubernetes");
        thread.setDaemon(true);
        thread.start();
      }
    }
  }

  /** Where the cluster stands now. */
  public KubernetesInfo info() {
    return info;
  }

  /** The local control plane once it runs, else null. */
  public synchronized LocalKubernetes local() {
    return local;
  }

  private void connectExternal() {
    KubeTarget cluster = options.target();
    String mode =
        cluster.kubeconfig() == null && cluster.context() == null ? "in-cluster" : "kubeconfig";
    try {
      String version = cluster.connect().getKubernetesVersion().getGitVersion();
      String server = cluster.connect().getMasterUrl().toString();
      target = cluster;
      set(
          new KubernetesInfo(
              mode,
              KubernetesInfo.READY,
              "Kubernetes " + version,
              server,
              cluster.kubeconfig() == null ? null : cluster.kubeconfig().toString(),
              Instant.now()));
      onReady.accept(cluster);
    } catch (RuntimeException e) {
      set(
          new KubernetesInfo(
              mode,
              KubernetesInfo.FAILED,
              "cannot reach Kubernetes through " + cluster.describe() + ": " + e.getMessage(),
              null,
              cluster.kubeconfig() == null ? null : cluster.kubeconfig().toString(),
              Instant.now()));
    }
  }

  private void bringUpLocal() {
    try {
      if (!LocalKubernetes.installed(options.binDir())) {
        install();
      }
      synchronized (this) {
        if (closed) {
          return;
        }
      }
      set(info(KubernetesInfo.STARTING, "starting the local control plane", null, null));
      LocalKubernetes started =
          LocalKubernetes.start(
              // Stopped by close(), after the workers that use it, not by hooks of its own.
              new LocalKubernetes.Options(
                  options.binDir(), stateDir, options.nodes(), null, /* stopWithJvm= */ false),
              step -> set(info(KubernetesInfo.STARTING, step, null, null)));
      KubeTarget worker;
      synchronized (this) {
        if (closed) {
          started.close();
          return;
        }
        local = started;
        worker = new KubeTarget(started.workerKubeconfig(), null, options.settings());
        target = worker;
      }
      onReady.accept(worker);
      set(
          info(
              KubernetesInfo.READY,
              null,
              started.apiServer(),
              started.adminKubeconfig().toString()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | IOException e) {
      boolean stopping;
      synchronized (this) {
        stopping = closed;
      }
      if (!stopping) {
        LOG.warn("the local Kubernetes did not start: {}", e.getMessage());
        set(info(KubernetesInfo.FAILED, e.getMessage(), null, null));
      }
    }
  }

  /** Runs the install script, its progress lines going to {@link #info()} and its log. */
  private void install() throws IOException, InterruptedException {
    Path script = options.installScript();
    if (!Files.isExecutable(script)) {
      throw new IOException(
          "the local Kubernetes binaries are missing from "
              + options.binDir()
              + " and there is no "
              + script
              + " to build them; start with --kubeconfig PATH or --no-local-infra");
    }
    InstallScript install =
        new InstallScript(script, options.home(), stateDir.resolve("install.log"));
    synchronized (this) {
      if (closed) {
        return;
      }
      installer = install.start();
    }
    try {
      install.follow(
          line -> {
            if (line.startsWith("kubernetes: ")) {
              set(
                  info(
                      KubernetesInfo.INSTALLING,
                      line.substring("kubernetes: ".length()),
                      null,
                      null));
            }
          });
    } finally {
      synchronized (this) {
        installer = null;
      }
    }
  }

  private KubernetesInfo info(String state, String detail, String apiServer, String kubeconfig) {
    return new KubernetesInfo("local", state, detail, apiServer, kubeconfig, Instant.now());
  }

  private void set(KubernetesInfo next) {
    KubernetesInfo previous = info;
    info = next;
    if (!previous.state().equals(next.state())) {
      LOG.info(
          "Kubernetes {}: {}",
          next.state(),
          next.detail() == null ? next.apiServer() : next.detail());
    }
    try {
      onChange.accept(next);
    } catch (RuntimeException e) {
      LOG.warn("a Kubernetes state listener failed: {}", e.toString());
    }
  }

  /** Stops the install (if running), the local cluster and the client; safe to call again. */
  @Override
  public void close() {
    Process running;
    LocalKubernetes cluster;
    KubeTarget client;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      running = installer;
      cluster = local;
      client = target;
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
    if (client != null) {
      client.close();
    }
    // Once closed, the bring-up thread stops a cluster it starts itself instead of keeping it.
    if (cluster != null) {
      cluster.close();
    }
  }
}
