package io.capstan.app.kube;

import io.capstan.activities.kube.KubeClients;
import io.capstan.activities.kube.SimulatedPods;
import io.capstan.app.process.ManagedProcess;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kubernetes control plane on loopback, with simulated nodes: etcd, kube-apiserver,
 * kube-controller-manager and kube-scheduler (the pinned builds of {@code
 * scripts/install-kubernetes.sh}), and kwok as the kubelet of every node labelled {@value
 * SimulatedPods#NODE_LABEL}{@code =true}, driven by the project's stages ({@code
 * kwok-stages.yaml}). Each is a {@link ManagedProcess}; {@link #close()} stops them in reverse
 * order.
 *
 * <p>Its folder holds etcd's data (the cluster survives a restart on the same folder), the API
 * server's self-signed certificate, the service-account key pair, a static token file, and
 * kubeconfigs: {@value #ADMIN_KUBECONFIG} for people ({@code kubectl --kubeconfig}), {@value
 * #WORKER_KUBECONFIG} for Capstan's infrastructure worker, which authenticates as the
 * ServiceAccount {@code capstan-system/capstan-worker} and may do only what {@code
 * deploy/kubernetes/worker-rbac.yaml} grants (applied here at every start).
 */
public final class LocalKubernetes implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalKubernetes.class);

  public static final String ADMIN_KUBECONFIG = "kubeconfig";
  public static final String WORKER_KUBECONFIG = "worker.kubeconfig";
  public static final String CONTEXT = "capstan-local";

  /** The worker's identity: the ServiceAccount the shipped RBAC manifest binds. */
  public static final String WORKER_USER = "system:serviceaccount:capstan-system:capstan-worker";

  /** The classpath copies of the project's files (see the app module's build). */
  static final String RBAC_RESOURCE = "/io/capstan/app/kube/worker-rbac.yaml";

  static final String STAGES_RESOURCE = "/io/capstan/app/kube/kwok-stages.yaml";

  private static final String CONTROLLERS =
      String.join(
          ",",
          "job-controller",
          "cronjob-controller",
          "disruption-controller",
          "garbage-collector-controller",
          "namespace-controller",
          "replicaset-controller",
          "deployment-controller",
          "statefulset-controller",
          "daemonset-controller",
          "serviceaccount-controller",
          "ttl-after-finished-controller",
          // Nodes are created tainted not-ready; this controller lifts the taint once kwok reports
          // them Ready (and keeps their leases in view), so never-Ready nodes stay unschedulable.
          "node-lifecycle-controller",
          "taint-eviction-controller");

  /**
   * How to start it.
   *
   * @param binDir the folder with etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
   *     kubectl and kwok
   * @param stateDir its folder (created when missing)
   * @param nodes the simulated nodes to make sure exist
   * @param startTimeout how long each process may take to become ready
   * @param stopWithJvm whether each process's own JVM shutdown hook stops it (tests); an owner that
   *     stops its workers first and the cluster after, as {@code up} does, turns this off
   */
  public record Options(
      Path binDir,
      Path stateDir,
      List<SimulatedNode> nodes,
      Duration startTimeout,
      boolean stopWithJvm) {
    /** Stopped with the JVM, as tests want. */
    public Options(Path binDir, Path stateDir, List<SimulatedNode> nodes, Duration startTimeout) {
      this(binDir, stateDir, nodes, startTimeout, true);
    }

    public Options {
      binDir = binDir.toAbsolutePath().normalize();
      stateDir = stateDir.toAbsolutePath().normalize();
      nodes = nodes == null ? SimulatedNode.DEFAULTS : List.copyOf(nodes);
      startTimeout = startTimeout == null ? Duration.ofSeconds(90) : startTimeout;
    }
  }

  /**
   * A simulated node: its name, capacity, labels and taints. GPU nodes carry {@code nvidia.com/gpu}
   * capacity and the taint GPU clusters put on them.
   */
  public record SimulatedNode(
      String name,
      String cpu,
      String memory,
      int gpus,
      Map<String, String> labels,
      List<Taint> taints) {
    public static final List<SimulatedNode> DEFAULTS =
        List.of(
            cpu("sim-cpu-1"),
            cpu("sim-cpu-2"),
            cpu("sim-cpu-3"),
            new SimulatedNode(
                "sim-gpu-1",
                "32",
                "256Gi",
                8,
                Map.of("capstan.io/gpu", "true", "node.kubernetes.io/instance-type", "p5.48xlarge"),
                List.of(new Taint("NoSchedule", "nvidia.com/gpu", null, "present"))));

    static SimulatedNode cpu(String name) {
      return new SimulatedNode(
          name,
          "16",
          "64Gi",
          0,
          Map.of("node.kubernetes.io/instance-type", "m5.4xlarge"),
          List.of());
    }
  }

  private final Options options;
  private final List<ManagedProcess> processes = new ArrayList<>();
  private String apiServer;
  private String adminToken;

  private LocalKubernetes(Options options) {
    this.options = options;
  }

  /** The binaries the local cluster runs, in {@code binDir}. */
  public static final List<String> BINARIES =
      List.of(
          "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "kwok");

  /** Whether every binary is in {@code binDir}. */
  public static boolean installed(Path binDir) {
    return BINARIES.stream().allMatch(b -> Files.isExecutable(binDir.resolve(b)));
  }

  /**
   * Starts etcd, the API server, the controller manager, the scheduler and kwok, applies the
   * worker's RBAC, makes sure the simulated nodes exist and waits until they are Ready.
   *
   * @param progress told each step as it begins, e.g. {@code starting kube-apiserver}
   * @throws ManagedProcess.StartException when a process does not start; what had started is
   *     stopped again
   */
  public static LocalKubernetes start(Options options, Consumer<String> progress) {
    LocalKubernetes cluster = new LocalKubernetes(options);
    try {
      cluster.startAll(progress);
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private void startAll(Consumer<String> progress) {
    for (String binary : BINARIES) {
      if (!Files.isExecutable(options.binDir().resolve(binary))) {
        throw new ManagedProcess.StartException(
            binary
                + " is missing from "
                + options.binDir()
                + ": run scripts/install-kubernetes.sh (./capstan up and ./test.sh run it)",
            null);
      }
    }
    Path dir = options.stateDir();
    Path pki = dir.resolve("pki");
    try {
      Files.createDirectories(pki);
    } catch (IOException e) {
      throw new ManagedProcess.StartException("cannot create " + pki + ": " + e, e);
    }
    Map<String, String> tokens = tokens(pki.resolve("tokens.csv"));
    adminToken = tokens.get("admin");
    serviceAccountKeys(pki);
    Path stages = dir.resolve("kwok-stages.yaml");
    copyResource(STAGES_RESOURCE, stages);

    progress.accept("starting etcd");
    ManagedProcess etcd =
        add(
            ManagedProcess.builder("etcd", dir, "etcd")
                .port("client", 0)
                .port("peer", 0)
                .command(
                    ports ->
                        List.of(
                            bin("etcd"),
                            "--name=capstan",
                            "--data-dir=" + dir.resolve("etcd"),
                            "--listen-client-urls=http://" + ports.address("client"),
                            "--advertise-client-urls=http://" + ports.address("client"),
                            "--listen-peer-urls=http://" + ports.address("peer"),
                            "--initial-advertise-peer-urls=http://" + ports.address("peer"),
                            "--initial-cluster=capstan=http://" + ports.address("peer"),
                            "--unsafe-no-fsync",
                            "--log-level=warn"))
                .readiness(
                    ports ->
                        KubeHttp.ok(
                            "http://" + ports.address("client") + "/health", "its /health", null))
                .startTimeout(options.startTimeout())
                .stopWithJvm(options.stopWithJvm())
                .start());
    String etcdUrl = "http://" + etcd.ports().address("client");

    progress.accept("starting kube-apiserver");
    Path certs = dir.resolve("certs");
    ManagedProcess apiserver =
        add(
            ManagedProcess.builder("kube-apiserver", dir, "kube-apiserver")
                .port("secure", 0)
                .command(
                    ports ->
                        List.of(
                            bin("kube-apiserver"),
                            "--etcd-servers=" + etcdUrl,
                            "--bind-address=127.0.0.1",
                            "--advertise-address=127.0.0.1",
                            "--secure-port=" + ports.get("secure"),
                            "--cert-dir=" + certs,
                            "--service-account-key-file=" + pki.resolve("sa.pub"),
                            "--service-account-signing-key-file=" + pki.resolve("sa.key"),
                            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                            "--token-auth-file=" + pki.resolve("tokens.csv"),
                            "--authorization-mode=RBAC",
                            "--service-cluster-ip-range=10.0.0.0/24",
                            "--endpoint-reconciler-type=none",
                            "--disable-admission-plugins=ServiceAccount",
                            "--profiling=false",
                            "--v=0"))
                .readiness(
                    ports ->
                        KubeHttp.ok(
                            "https://" + ports.address("secure") + "/readyz",
                            "its /readyz",
                            tokens.get("admin")))
                .startTimeout(options.startTimeout())
                .stopWithJvm(options.stopWithJvm())
                .stopGrace(Duration.ofSeconds(5))
                .start());
    apiServer = "https://" + apiserver.ports().address("secure");
    Path ca = certs.resolve("apiserver.crt");
    writeKubeconfig(dir.resolve(ADMIN_KUBECONFIG), ca, "admin", tokens.get("admin"));
    writeKubeconfig(dir.resolve(WORKER_KUBECONFIG), ca, "capstan-worker", tokens.get("worker"));
    Path system = dir.resolve("system.kubeconfig");
    writeKubeconfig(system, ca, "system", tokens.get("system"));

    progress.accept("starting kube-controller-manager");
    add(
        controlPlaneComponent(
            "kube-controller-manager",
            system,
            List.of("--controllers=" + CONTROLLERS, "--concurrent-job-syncs=20")));

    progress.accept("starting kube-scheduler");
    add(controlPlaneComponent("kube-scheduler", system, List.of()));

    progress.accept("starting kwok");
    add(
        ManagedProcess.builder("kwok", dir, "kwok")
            .port("server", 0)
            .command(
                ports ->
                    List.of(
                        bin("kwok"),
                        "--kubeconfig=" + system,
                        "--config=" + stages,
                        "--manage-all-nodes=false",
                        "--manage-nodes-with-label-selector=" + SimulatedPods.NODE_LABEL + "=true",
                        "--server-address=" + ports.address("server"),
                        "--node-ip=10.1.0.1",
                        "--cidr=10.2.0.0/16",
                        // kwok renews each node's Lease, the node lifecycle controller's heartbeat.
                        "--node-lease-duration-seconds=40"))
            .readiness(
                ports ->
                    KubeHttp.ok(
                        "http://" + ports.address("server") + "/healthz", "its /healthz", null))
            .startTimeout(options.startTimeout())
            .stopWithJvm(options.stopWithJvm())
            .stopGrace(Duration.ofSeconds(5))
            .start());

    progress.accept("applying the worker's RBAC and the simulated nodes");
    try (KubernetesClient admin = adminClient()) {
      applyRbac(admin);
      for (SimulatedNode node : options.nodes()) {
        ensureNode(admin, node);
      }
      awaitNodesReady(admin);
    }
  }

  /**
   * The controller manager or the scheduler: the same flags for its kubeconfig, its loopback
   * serving port, no leader election, and client-go's 20 QPS lifted (it would make the component,
   * not the control plane, the limit of a busy local cluster; kwok has no such limit), plus {@code
   * extra}. Ready once its {@code /healthz} answers.
   */
  private ManagedProcess controlPlaneComponent(String name, Path kubeconfig, List<String> extra) {
    Path dir = options.stateDir();
    return ManagedProcess.builder(name, dir, name)
        .port("secure", 0)
        .command(
            ports -> {
              List<String> line = new ArrayList<>();
              line.add(bin(name));
              line.add("--kubeconfig=" + kubeconfig);
              line.add("--authentication-kubeconfig=" + kubeconfig);
              line.add("--authorization-kubeconfig=" + kubeconfig);
              line.add("--bind-address=127.0.0.1");
              line.add("--secure-port=" + ports.get("secure"));
              line.add("--leader-elect=false");
              line.add("--kube-api-qps=500");
              line.add("--kube-api-burst=1000");
              line.add("--profiling=false");
              line.addAll(extra);
              return line;
            })
        .readiness(
            ports ->
                KubeHttp.ok(
                    "https://" + ports.address("secure") + "/healthz", "its /healthz", null))
        .startTimeout(options.startTimeout())
        .stopWithJvm(options.stopWithJvm())
        .stopGrace(Duration.ofSeconds(5))
        .start();
  }

  /** A client with cluster-admin rights (system:masters), for tests and setup. */
  public KubernetesClient adminClient() {
    return KubeClients.connect(adminKubeconfig(), null);
  }

  /** The kubeconfig for people and tests: cluster-admin. */
  public Path adminKubeconfig() {
    return options.stateDir().resolve(ADMIN_KUBECONFIG);
  }

  /** The kubeconfig of Capstan's worker: the shipped Role, nothing more. */
  public Path workerKubeconfig() {
    return options.stateDir().resolve(WORKER_KUBECONFIG);
  }

  /** {@code https://127.0.0.1:PORT}. */
  public String apiServer() {
    return apiServer;
  }

  /** The processes, etcd first. */
  public List<ManagedProcess> processes() {
    return List.copyOf(processes);
  }

  /** Resident memory of every process, in bytes (from /proc), for the benchmark. */
  public long residentBytes() {
    long total = 0;
    for (ManagedProcess process : processes) {
      try {
        for (String line :
            Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
          if (line.startsWith("VmRSS:")) {
            total += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
          }
        }
      } catch (IOException | NumberFormatException e) {
        // A process that ended has no memory to count.
      }
    }
    return total;
  }

  private ManagedProcess add(ManagedProcess process) {
    processes.add(process);
    return process;
  }

  private String bin(String name) {
    return options.binDir().resolve(name).toString();
  }

  private void applyRbac(KubernetesClient admin) {
    try (InputStream in = LocalKubernetes.class.getResourceAsStream(RBAC_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("this build lacks " + RBAC_RESOURCE);
      }
      List<HasMetadata> objects = admin.load(in).items();
      for (HasMetadata object : objects) {
        admin.resource(object).serverSideApply();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void ensureNode(KubernetesClient admin, SimulatedNode node) {
    if (admin.nodes().withName(node.name()).get() != null) {
      return;
    }
    Map<String, String> labels = new LinkedHashMap<>(node.labels());
    labels.put(SimulatedPods.NODE_LABEL, "true");
    labels.put("kubernetes.io/hostname", node.name());
    labels.put("kubernetes.io/os", "linux");
    labels.put("kubernetes.io/arch", "amd64");
    labels.put("type", "kwok");
    Map<String, Quantity> capacity = new LinkedHashMap<>();
    capacity.put("cpu", new Quantity(node.cpu()));
    capacity.put("memory", new Quantity(node.memory()));
    capacity.put("pods", new Quantity("110"));
    if (node.gpus() > 0) {
      capacity.put("nvidia.com/gpu", new Quantity(Integer.toString(node.gpus())));
    }
    Node created =
        new NodeBuilder()
            .withNewMetadata()
            .withName(node.name())
            .withLabels(labels)
            .addToAnnotations("kwok.x-k8s.io/node", "fake")
            .endMetadata()
            .withNewSpec()
            .withTaints(node.taints())
            .endSpec()
            .withNewStatus()
            .withCapacity(capacity)
            .withAllocatable(capacity)
            .endStatus()
            .build();
    try {
      admin.nodes().resource(created).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  private void awaitNodesReady(KubernetesClient admin) {
    for (SimulatedNode node : options.nodes()) {
      try {
        admin
            .nodes()
            .withName(node.name())
            .waitUntilCondition(
                n ->
                    n != null
                        && n.getStatus() != null
                        && n.getStatus().getConditions() != null
                        && n.getStatus().getConditions().stream()
                            .anyMatch(
                                c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())),
                options.startTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
      } catch (KubernetesClientException e) {
        throw new ManagedProcess.StartException(
            "simulated node "
                + node.name()
                + " did not turn Ready: kwok's log is "
                + options.stateDir().resolve("kwok.log"),
            e);
      }
    }
  }

  /**
   * The static tokens (admin, system, worker): made once, kept in the token file, so the
   * kubeconfigs stay valid across restarts.
   */
  private static Map<String, String> tokens(Path file) {
    Map<String, String> tokens = new LinkedHashMap<>();
    try {
      if (Files.exists(file)) {
        for (String line : Files.readAllLines(file)) {
          String[] fields = line.split(",", 4);
          if (fields.length >= 3) {
            tokens.put(fields[2], fields[0]);
          }
        }
      }
      if (!tokens.keySet().containsAll(List.of("admin", "system", "worker"))) {
        tokens.clear();
        SecureRandom random = new SecureRandom();
        for (String who : List.of("admin", "system", "worker")) {
          byte[] bytes = new byte[24];
          random.nextBytes(bytes);
          tokens.put(who, HexFormat.of().formatHex(bytes));
        }
        String lines =
            tokens.get("admin")
                + ",admin,admin,\"system:masters\"\n"
                + tokens.get("system")
                + ",system:capstan-local,system,\"system:masters\"\n"
                + tokens.get("worker")
                + ","
                + WORKER_USER
                + ",worker,\"system:serviceaccounts,system:serviceaccounts:capstan-system\"\n";
        writePrivate(file, lines);
      }
      return tokens;
    } catch (IOException e) {
      throw new ManagedProcess.StartException("cannot write the token file " + file + ": " + e, e);
    }
  }

  /** The service-account signing key pair, made once (PKCS#8 and X.509 PEM). */
  private static void serviceAccountKeys(Path pki) {
    Path key = pki.resolve("sa.key");
    Path pub = pki.resolve("sa.pub");
    if (Files.exists(key) && Files.exists(pub)) {
      return;
    }
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair pair = generator.generateKeyPair();
      writePrivate(key, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
      Files.writeString(pub, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    } catch (NoSuchAlgorithmException | IOException e) {
      throw new ManagedProcess.StartException("cannot make the service-account keys: " + e, e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private void writeKubeconfig(Path file, Path ca, String user, String token) {
    String yaml =
        "apiVersion: v1\n"
            + "kind: Config\n"
            + "clusters:\n"
            + "- name: "
            + CONTEXT
            + "\n"
            + "  cluster:\n"
            + "    server: "
            + apiServer
            + "\n"
            + "    certificate-authority: "
            + ca
            + "\n"
            + "users:\n"
            + "- name: "
            + user
            + "\n"
            + "  user:\n"
            + "    token: "
            + token
            + "\n"
            + "contexts:\n"
            + "- name: "
            + CONTEXT
            + "\n"
            + "  context:\n"
            + "    cluster: "
            + CONTEXT
            + "\n"
            + "    user: "
            + user
            + "\n"
            + "    namespace: default\n"
            + "current-context: "
            + CONTEXT
            + "\n";
    try {
      writePrivate(file, yaml);
    } catch (IOException e) {
      throw new ManagedProcess.StartException("cannot write " + file + ": " + e, e);
    }
  }

  private static void writePrivate(Path file, String text) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(temp);
    Files.createFile(
        temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(temp, text);
    Files.move(
        temp,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static void copyResource(String resource, Path target) {
    try (InputStream in = LocalKubernetes.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("this build lacks " + resource);
      }
      Files.write(target, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops kwok, the scheduler, the controller manager, the API server and etcd, in that order. */
  @Override
  public void close() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      try {
        processes.get(i).close();
      } catch (RuntimeException e) {
        LOG.warn("stopping {} failed: {}", processes.get(i).name(), e.toString());
      }
    }
    processes.clear();
  }
}
