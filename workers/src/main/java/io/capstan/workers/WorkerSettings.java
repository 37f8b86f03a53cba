package io.capstan.workers;

import io.capstan.activities.cloud.AwsSettings;
import io.capstan.activities.task.SecretResolver;
import io.capstan.activities.task.ShellPolicy;
import io.capstan.activities.task.TaskActivitiesOptions;
import io.capstan.gpu.GpuHost;
import io.capstan.outputs.OutputStore;
import java.util.List;

/**
 * How a process's worker roles are sized and what they may run: the control plane reads {@code
 * maxConcurrentWorkflowTasks}, the tasks role the rest.
 *
 * @param shellEnabled whether {@code shell} tasks may start processes on this host
 * @param host the host name reported with every task attempt; null for this machine's
 * @param maxConcurrentActivities task attempts running at once on the tasks worker; pipelines allow
 *     up to this much parallelism before the worker, rather than the definition, becomes the limit
 * @param maxConcurrentWorkflowTasks workflow tasks (decisions) processed at once
 * @param shellPolicy which commands {@code shell} tasks may run, per namespace; null for every
 *     command when shell is enabled. Shell disabled overrides it: nothing runs
 * @param secrets where tasks' {@code secretRef}s are resolved; null for this process's {@code
 *     CAPSTAN_SECRET_*} variables
 * @param outputs where outputs too large for history are stored; null for the store {@code
 *     CAPSTAN_OUTPUT_STORE} names, else {@code .capstan/state/outputs}
 * @param kubernetes the cluster the infrastructure role runs {@code container} tasks on; null for
 *     none (that role then refuses to start)
 * @param aws where the infrastructure role's cluster operations call AWS: the endpoint of {@code
 *     provider: aws} clusters (null for AWS itself) and the simulated cloud of {@code provider:
 *     simulated} ones (null for none); null for AWS only
 * @param gpuHosts the GPU hosts the gpu role serves, each on its own queue; empty for none
 */
public record WorkerSettings(
    boolean shellEnabled,
    String host,
    int maxConcurrentActivities,
    int maxConcurrentWorkflowTasks,
    ShellPolicy shellPolicy,
    SecretResolver secrets,
    OutputStore outputs,
    KubeTarget kubernetes,
    AwsSettings aws,
    List<GpuHost> gpuHosts) {

  /**
   * Task attempts mostly wait (on a timer, a process or a remote API), so a small machine can hold
   * many: 200 lets a {@code parallelism: 200} pipeline run at full width on a 2-core box.
   */
  public static final int DEFAULT_MAX_CONCURRENT_ACTIVITIES = 200;

  /** Workflow tasks are CPU-bound and short; a few dozen at once keep two cores busy. */
  public static final int DEFAULT_MAX_CONCURRENT_WORKFLOW_TASKS = 50;

  public WorkerSettings {
    if (maxConcurrentActivities < 1 || maxConcurrentWorkflowTasks < 1) {
      throw new IllegalArgumentException("worker concurrency limits must be at least 1");
    }
    if (!shellEnabled) {
      shellPolicy = ShellPolicy.disabled();
    } else if (shellPolicy == null) {
      shellPolicy = ShellPolicy.allowAll();
    }
    shellEnabled = shellPolicy.enabled();
    if (aws == null) {
      aws = AwsSettings.awsOnly();
    }
    gpuHosts = gpuHosts == null ? List.of() : List.copyOf(gpuHosts);
  }

  /** Every command when shell is enabled; secrets from this process's environment. */
  public WorkerSettings(
      boolean shellEnabled,
      String host,
      int maxConcurrentActivities,
      int maxConcurrentWorkflowTasks) {
    this(
        shellEnabled,
        host,
        maxConcurrentActivities,
        maxConcurrentWorkflowTasks,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** The defaults, with shell tasks allowed or not. */
  public static WorkerSettings defaults(boolean shellEnabled) {
    return new WorkerSettings(
        shellEnabled,
        null,
        DEFAULT_MAX_CONCURRENT_ACTIVITIES,
        DEFAULT_MAX_CONCURRENT_WORKFLOW_TASKS);
  }

  /** These options with shell commands limited by {@code policy} (unless shell is disabled). */
  public WorkerSettings withShellPolicy(ShellPolicy policy) {
    return new WorkerSettings(
        shellEnabled,
        host,
        maxConcurrentActivities,
        maxConcurrentWorkflowTasks,
        policy,
        secrets,
        outputs,
        kubernetes,
        aws,
        gpuHosts);
  }

  public WorkerSettings withSecrets(SecretResolver resolver) {
    return new WorkerSettings(
        shellEnabled,
        host,
        maxConcurrentActivities,
        maxConcurrentWorkflowTasks,
        shellPolicy,
        resolver,
        outputs,
        kubernetes,
        aws,
        gpuHosts);
  }

  /** These options with outputs stored in {@code store}. */
  public WorkerSettings withOutputs(OutputStore store) {
    return new WorkerSettings(
        shellEnabled,
        host,
        maxConcurrentActivities,
        maxConcurrentWorkflowTasks,
        shellPolicy,
        secrets,
        store,
        kubernetes,
        aws,
        gpuHosts);
  }

  /** These options with {@code container} tasks run on {@code cluster}. */
  public WorkerSettings withKubernetes(KubeTarget cluster) {
    return new WorkerSettings(
        shellEnabled,
        host,
        maxConcurrentActivities,
        maxConcurrentWorkflowTasks,
        shellPolicy,
        secrets,
        outputs,
        cluster,
        aws,
        gpuHosts);
  }

  /** These options with cluster operations calling AWS as {@code settings} say. */
  public WorkerSettings withAws(AwsSettings settings) {
    return new WorkerSettings(
        shellEnabled,
        host,
        maxConcurrentActivities,
        maxConcurrentWorkflowTasks,
        shellPolicy,
        secrets,
        outputs,
        kubernetes,
        settings,
        gpuHosts);
  }

  /** These options with the GPU role serving {@code hosts} (each its own queue). */
  public WorkerSettings withGpuHosts(List<GpuHost> hosts) {
    return new WorkerSettings(
        shellEnabled,
        host,
        maxConcurrentActivities,
        maxConcurrentWorkflowTasks,
        shellPolicy,
        secrets,
        outputs,
        kubernetes,
        aws,
        hosts);
  }

  /** The host name workers report: the configured one, else this machine's. */
  public String hostName() {
    return activities().host();
  }

  /** The options the task executors run with. */
  public TaskActivitiesOptions activities() {
    return new TaskActivitiesOptions(shellPolicy, host, null, null, secrets, outputs);
  }
}
