package io.capstan.activities.kube;

import io.capstan.definitions.executor.ContainerSimulation;
import io.capstan.definitions.executor.ContainerSpec;
import io.capstan.definitions.executor.EnvVar;
import io.capstan.definitions.executor.Resources;
import io.capstan.definitions.executor.Toleration;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes Job of one attempt of a {@code container} task. It runs one pod, once: {@code
 * backoffLimit} 0 and {@code restartPolicy: Never}, because Temporal owns retries, and a pod that
 * fails fails the attempt. A {@code secretRef} becomes a reference to the Kubernetes Secret of that
 * name (key {@value #SECRET_KEY}) in the Job's namespace, so no secret value is ever in the Job, in
 * the activity's input or in history.
 */
public final class JobSpecs {
  /** The key of a Secret that a {@code secretRef} reads. */
  public static final String SECRET_KEY = "value";

  /** The name of the task's container in the pod. */
  public static final String CONTAINER = "task";

  /** The extended resource a GPU request becomes. */
  public static final String GPU_RESOURCE = "nvidia.com/gpu";

  private JobSpecs() {}

  /**
   * The Job for attempt {@code attempt} of task {@code task}.
   *
   * @param deadline the attempt's timeout, which becomes the Job's {@code activeDeadlineSeconds}
   *     (null: none)
   */
  public static Job job(
      String name,
      String namespace,
      String runId,
      String task,
      int attempt,
      ContainerSpec spec,
      Duration deadline,
      Duration finishedTtl) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(JobNames.MANAGED_BY, JobNames.MANAGER);
    labels.put(JobNames.RUN_LABEL, JobNames.labelValue(runId));
    labels.put(JobNames.TASK_LABEL, JobNames.labelValue(task));
    labels.put(JobNames.ATTEMPT_LABEL, Integer.toString(attempt));
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(JobNames.RUN_ANNOTATION, runId);
    annotations.put(JobNames.TASK_ANNOTATION, task);
    Map<String, String> podAnnotations = new LinkedHashMap<>(annotations);
    podAnnotations.putAll(simulation(spec.simulate(), attempt));

    ResourceRequirementsBuilder resources = new ResourceRequirementsBuilder();
    Resources wanted = spec.resources();
    if (wanted != null) {
      if (wanted.cpu() != null) {
        resources.addToRequests("cpu", new Quantity(wanted.cpu()));
      }
      if (wanted.memory() != null) {
        // Memory is incompressible: the request is also the limit, as for Guaranteed pods.
        resources.addToRequests("memory", new Quantity(wanted.memory()));
        resources.addToLimits("memory", new Quantity(wanted.memory()));
      }
      if (wanted.gpu() != null && wanted.gpu() > 0) {
        // Extended resources are set as limits (requests default to them).
        resources.addToLimits(GPU_RESOURCE, new Quantity(Integer.toString(wanted.gpu())));
      }
    }
    List<io.fabric8.kubernetes.api.model.EnvVar> env =
        spec.env().stream().map(JobSpecs::envVar).toList();
    List<io.fabric8.kubernetes.api.model.Toleration> tolerations =
        new java.util.ArrayList<>(spec.tolerations().stream().map(JobSpecs::toleration).toList());
    if (wanted != null
        && wanted.gpu() != null
        && wanted.gpu() > 0
        && tolerations.stream().noneMatch(t -> GPU_RESOURCE.equals(t.getKey()))) {
      // GPU pools are tainted nvidia.com/gpu so that other pods stay off them; a pod that asks
      // for GPUs tolerates that taint, as Kubernetes' ExtendedResourceToleration admission does.
      // The request itself keeps it off nodes without GPUs.
      tolerations.add(
          new TolerationBuilder()
              .withKey(GPU_RESOURCE)
              .withOperator("Exists")
              .withEffect("NoSchedule")
              .build());
    }

    JobBuilder job =
        new JobBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .withLabels(labels)
            .withAnnotations(annotations)
            .endMetadata()
            .withNewSpec()
            .withBackoffLimit(0)
            .withCompletions(1)
            .withParallelism(1)
            .withTtlSecondsAfterFinished(Math.toIntExact(finishedTtl.toSeconds()))
            .withActiveDeadlineSeconds(
                deadline == null || deadline.isZero() ? null : Math.max(1, deadline.toSeconds()))
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(labels)
            .withAnnotations(podAnnotations)
            .endMetadata()
            .withNewSpec()
            .withRestartPolicy("Never")
            .withAutomountServiceAccountToken(false)
            .withEnableServiceLinks(false)
            .withNodeSelector(spec.nodeSelector().isEmpty() ? null : spec.nodeSelector())
            .withTolerations(tolerations.isEmpty() ? null : tolerations)
            .addNewContainer()
            .withName(CONTAINER)
            .withImage(spec.image())
            .withCommand(spec.command().isEmpty() ? null : spec.command())
            .withArgs(spec.args().isEmpty() ? null : spec.args())
            .withEnv(env.isEmpty() ? null : env)
            .withResources(resources.build())
            // The output is the termination message; without one, a failure's message is the log's
            // end, so a crash says why.
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec();
    return job.build();
  }

  /** The pod annotations that drive a simulated pod; none without a {@code simulate} block. */
  static Map<String, String> simulation(ContainerSimulation simulate, int attempt) {
    Map<String, String> annotations = new LinkedHashMap<>();
    ContainerSimulation sim =
        simulate == null ? new ContainerSimulation(null, null, null, null, null) : simulate;
    annotations.put(SimulatedPods.DURATION, sim.duration().toMillis() + "ms");
    annotations.put(SimulatedPods.EXIT_CODE, Integer.toString(sim.exitCodeOf(attempt)));
    if (sim.output() != null) {
      annotations.put(SimulatedPods.OUTPUT, sim.output());
    }
    if (sim.imagePullError() != null) {
      annotations.put(SimulatedPods.IMAGE_PULL_ERROR, sim.imagePullError());
    }
    return annotations;
  }

  private static io.fabric8.kubernetes.api.model.EnvVar envVar(EnvVar var) {
    EnvVarBuilder built = new EnvVarBuilder().withName(var.name());
    if (var.isSecret()) {
      return built
          .withNewValueFrom()
          .withNewSecretKeyRef()
          .withName(var.secretRef())
          .withKey(SECRET_KEY)
          .endSecretKeyRef()
          .endValueFrom()
          .build();
    }
    return built.withValue(var.value() == null ? "" : var.value()).build();
  }

  private static io.fabric8.kubernetes.api.model.Toleration toleration(Toleration toleration) {
    return new TolerationBuilder()
        .withKey(toleration.key())
        .withOperator(toleration.operator())
        .withValue(toleration.value())
        .withEffect(toleration.effect())
        .build();
  }
}
