package io.capstan.activities.task;

import io.capstan.activities.kube.JobNames;
import io.capstan.activities.kube.JobSpecs;
import io.capstan.activities.kube.KubeSettings;
import io.capstan.definitions.executor.ContainerSpec;
import io.capstan.workflows.task.JobRef;
import io.capstan.workflows.task.TaskFailures;
import io.capstan.workflows.task.TaskInputs;
import io.capstan.workflows.task.TaskOptions;
import io.capstan.workflows.task.TaskOutcome;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ScalableResource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.temporal.client.ActivityCanceledException;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one attempt of a {@code container} task as a Kubernetes Job and follows it to its end with
 * informers (watches), not a poll loop; the loop only wakes to heartbeat.
 *
 * <ul>
 *   <li><b>Re-attach.</b> The Job's name comes from run, task and attempt, and the attempt
 *       heartbeats it. Before creating a Job, an attempt looks for a live Job of its task (the one
 *       the previous attempt heartbeated, or one it created before it could): an attempt retried
 *       after a worker crash follows that Job instead of creating a second one.
 *   <li><b>Ends.</b> A pod that succeeds gives the output: its termination message, else the last
 *       non-blank line of its log. A pod that fails fails the attempt (retryable) with its exit
 *       code, reason and message. An image that cannot be pulled, a container Kubernetes cannot
 *       start as configured, and a pod that finds no node within the unschedulable timeout fail
 *       non-retryably with Kubernetes' own message.
 *   <li><b>Cleanup.</b> Once the result is in hand the Job is deleted with its pods; its log tail
 *       is kept in the output store first ({@code capstan logs}). Cancellation deletes the Job and
 *       waits for its pods to go. A worker shutting down leaves the Job to the next attempt.
 * </ul>
 */
final class ContainerExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerExecutor.class);

  /** Lines of a pod's log kept for {@code capstan logs}, and at most this many bytes of them. */
  static final int LOG_TAIL_LINES = 500;

  static final int LOG_TAIL_BYTES = 256 * 1024;

  /** Lines read from the end of a log to find its last non-blank line: whole lines, never cut. */
  private static final int OUTPUT_LINES = 20;

  /** The most of a failure's message put in the failure (and so in history). */
  private static final int FAILURE_MESSAGE_CHARS = 2048;

  /** The notice {@code capstan logs} shows for a pod on a simulated node. */
  static final String SIMULATED_LOG_NOTICE =
      "(this pod ran on a simulated kwok node, which runs no container and keeps no log)";

  private static final Set<String> PULL_ERRORS =
      Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull");
  private static final Set<String> CONFIG_ERRORS =
      Set.of("CreateContainerConfigError", "CreateContainerError", "RunContainerError");
  private static final Duration CANCEL_WAIT = Duration.ofSeconds(30);

  private final KubernetesClient client;
  private final KubeSettings settings;
  private final Outputs outputs;
  private final Set<String> namespacesSeen = ConcurrentHashMap.newKeySet();

  ContainerExecutor(KubernetesClient client, KubeSettings settings, Outputs outputs) {
    this.client = client;
    this.settings = settings;
    this.outputs = outputs;
  }

  /**
   * Runs {@code unrendered} after rendering its templates with {@code inputs} (null: rendered).
   *
   * @param previous the Job the previous attempt heartbeated, or null
   * @param deadline the attempt's timeout, or null
   */
  TaskOutcome run(
      ContainerSpec unrendered,
      TaskInputs inputs,
      Attempt attempt,
      JobRef previous,
      Duration deadline) {
    ContainerSpec spec =
        outputs.render(
            unrendered,
            unrendered::render,
            inputs,
            Outputs.MAX_SUBSTITUTED_BYTES,
            "a container's command, args or environment",
            attempt);
    if (spec.image() == null || spec.image().isBlank()) {
      throw attempt.nonRetryable(TaskFailures.INVALID, "container.image is empty", null);
    }
    String runId = Objects.requireNonNullElse(attempt.context().runId(), "run");
    String task = Objects.requireNonNullElse(attempt.context().task(), "task");
    String namespace;
    try {
      namespace = settings.namespaces().apply(attempt.context().namespace());
    } catch (IllegalArgumentException e) {
      throw attempt.nonRetryable(TaskFailures.INVALID, e.getMessage(), null);
    }
    ensureNamespace(namespace, attempt);
    JobRef job = attach(runId, task, namespace, spec, previous, deadline, attempt);
    attempt.heartbeat().beat(job);
    try {
      return follow(job, attempt);
    } catch (ActivityCanceledException canceled) {
      deleteAndWait(job);
      throw canceled;
    }
  }

  /** The live Job of this task (re-attached), or a new one for this attempt. */
  private JobRef attach(
      String runId,
      String task,
      String namespace,
      ContainerSpec spec,
      JobRef previous,
      Duration deadline,
      Attempt attempt) {
    List<Job> live =
        call(
                attempt,
                "list",
                "jobs",
                namespace,
                () ->
                    client
                        .batch()
                        .v1()
                        .jobs()
                        .inNamespace(namespace)
                        .withLabel(JobNames.RUN_LABEL, JobNames.labelValue(runId))
                        .withLabel(JobNames.TASK_LABEL, JobNames.labelValue(task))
                        .list()
                        .getItems())
            .stream()
            .filter(j -> j.getMetadata().getDeletionTimestamp() == null)
            .filter(j -> runId.equals(annotation(j, JobNames.RUN_ANNOTATION)))
            .filter(j -> task.equals(annotation(j, JobNames.TASK_ANNOTATION)))
            .toList();
    Optional<Job> reattach =
        live.stream()
            .filter(j -> previous != null && j.getMetadata().getName().equals(previous.name()))
            .findFirst()
            .or(() -> live.stream().max(Comparator.comparingInt(ContainerExecutor::attemptOf)));
    if (reattach.isPresent()) {
      Job found = reattach.get();
      JobRef ref = new JobRef(namespace, found.getMetadata().getName(), attemptOf(found));
      LOG.info(
          "attempt {} of task {} in run {} re-attaches to Job {} of attempt {}",
          attempt.number(),
          task,
          runId,
          ref,
          ref.attempt());
      return ref;
    }
    String name = JobNames.job(runId, task, attempt.number());
    JobRef ref = new JobRef(namespace, name, attempt.number());
    // Heartbeat the name before the Job exists: a crash right after the create still leaves the
    // next attempt a way to find it (so does the label lookup above).
    attempt.heartbeat().beat(ref);
    Job job =
        JobSpecs.job(
            name,
            namespace,
            runId,
            task,
            attempt.number(),
            spec,
            deadline,
            settings.finishedJobTtl());
    try {
      client.batch().v1().jobs().inNamespace(namespace).resource(job).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw failure(attempt, "create", "jobs", namespace, e);
      }
      LOG.info("Job {} exists already; following it", ref);
    }
    return ref;
  }

  private TaskOutcome follow(JobRef ref, Attempt attempt) {
    BlockingQueue<Boolean> changed = new LinkedBlockingQueue<>();
    ResourceEventHandler<Object> wake =
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Object obj) {
            changed.offer(Boolean.TRUE);
          }

          @Override
          public void onUpdate(Object oldObj, Object newObj) {
            changed.offer(Boolean.TRUE);
          }

          @Override
          public void onDelete(Object obj, boolean deletedFinalStateUnknown) {
            changed.offer(Boolean.TRUE);
          }
        };
    SharedIndexInformer<Pod> pods = null;
    SharedIndexInformer<Job> jobs = null;
    try {
      pods =
          call(
              attempt,
              "watch",
              "pods",
              ref.namespace(),
              () ->
                  client
                      .pods()
                      .inNamespace(ref.namespace())
                      .withLabel("job-name", ref.name())
                      .inform(cast(wake)));
      SharedIndexInformer<Pod> podInformer = pods;
      jobs =
          call(
              attempt, "watch", "jobs", ref.namespace(), () -> jobResource(ref).inform(cast(wake)));
      long started = System.nanoTime();
      long unschedulableSince = 0;
      boolean seen = false;
      while (true) {
        Job job = jobs.getStore().list().stream().findFirst().orElse(null);
        if (job == null && !seen) {
          // An informer's first list may come from the API server's watch cache, a moment behind
          // the create: only a read from etcd says whether the Job is really not there.
          job = call(attempt, "get", "jobs", ref.namespace(), () -> jobResource(ref).get());
        }
        if (job == null) {
          throw attempt.retryable(
              TaskFailures.KUBERNETES_UNAVAILABLE,
              "Job " + ref + " was deleted before it finished",
              null);
        }
        seen = seen || !jobs.getStore().list().isEmpty();
        Pod pod =
            podInformer.getStore().list().stream()
                .max(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp()))
                .orElse(null);
        if (pod != null) {
          String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
          if ("Succeeded".equals(phase)) {
            return succeed(ref, pod, attempt);
          }
          if ("Failed".equals(phase)) {
            throw failed(ref, pod, attempt);
          }
          Optional<ContainerStateWaiting> waiting = waiting(pod);
          if (waiting.isPresent() && PULL_ERRORS.contains(waiting.get().getReason())) {
            throw refuse(
                ref,
                attempt,
                TaskFailures.IMAGE_PULL,
                "cannot pull image " + image(pod) + " for pod " + podWhy(pod, waiting.get()));
          }
          if (waiting.isPresent() && CONFIG_ERRORS.contains(waiting.get().getReason())) {
            throw refuse(
                ref,
                attempt,
                TaskFailures.CONTAINER_CONFIG,
                "Kubernetes cannot start the container of pod " + podWhy(pod, waiting.get()));
          }
          Optional<PodCondition> unschedulable = unschedulable(pod);
          if (unschedulable.isPresent()) {
            unschedulableSince = unschedulableSince == 0 ? System.nanoTime() : unschedulableSince;
            if (System.nanoTime() - unschedulableSince
                >= settings.unschedulableTimeout().toNanos()) {
              throw refuse(
                  ref,
                  attempt,
                  TaskFailures.UNSCHEDULABLE,
                  "pod "
                      + pod.getMetadata().getName()
                      + " found no node in "
                      + TaskOptions.describe(settings.unschedulableTimeout())
                      + ": "
                      + Objects.requireNonNullElse(
                          unschedulable.get().getMessage(), "the scheduler gave no reason"));
            }
          } else {
            unschedulableSince = 0;
          }
        }
        Optional<JobCondition> jobFailed = condition(job, "Failed");
        if (jobFailed.isPresent() && (pod == null || !terminal(pod))) {
          delete(ref);
          throw attempt.retryable(
              TaskFailures.CONTAINER_EXIT,
              "Job "
                  + ref
                  + " failed ("
                  + jobFailed.get().getReason()
                  + "): "
                  + Objects.requireNonNullElse(jobFailed.get().getMessage(), "no message"),
              null);
        }
        if (pod == null
            && System.nanoTime() - started >= settings.unschedulableTimeout().toNanos()) {
          throw refuse(
              ref,
              attempt,
              TaskFailures.UNSCHEDULABLE,
              "the job controller created no pod for Job "
                  + ref
                  + " in "
                  + TaskOptions.describe(settings.unschedulableTimeout())
                  + lastEvent(ref).map(e -> ": " + e).orElse(""));
        }
        attempt.heartbeat().beat(ref);
        // Wake for the next heartbeat, or when a wait for a node (or a pod) would time out.
        long wait = TaskOptions.HEARTBEAT_INTERVAL.toMillis();
        long waitingSince =
            unschedulableSince != 0 ? unschedulableSince : pod == null ? started : 0;
        if (waitingSince != 0) {
          long left =
              TimeUnit.NANOSECONDS.toMillis(
                  settings.unschedulableTimeout().toNanos() - (System.nanoTime() - waitingSince));
          wait = Math.max(10, Math.min(wait, left + 1));
        }
        if (changed.poll(wait, TimeUnit.MILLISECONDS) != null) {
          changed.clear();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw attempt.retryable(
          TaskFailures.KUBERNETES_UNAVAILABLE, "interrupted while following Job " + ref, e);
    } finally {
      if (pods != null) {
        pods.close();
      }
      if (jobs != null) {
        jobs.close();
      }
    }
  }

  /** Deletes the Job and gives the non-retryable failure that says why it cannot run. */
  private ApplicationFailure refuse(JobRef ref, Attempt attempt, String type, String message) {
    delete(ref);
    return attempt.nonRetryable(type, message, null);
  }

  /** {@code NAME (REASON): MESSAGE} of a pod whose container waits for good. */
  private static String podWhy(Pod pod, ContainerStateWaiting waiting) {
    return pod.getMetadata().getName()
        + " ("
        + waiting.getReason()
        + "): "
        + Objects.requireNonNullElse(waiting.getMessage(), "no message");
  }

  private TaskOutcome succeed(JobRef ref, Pod pod, Attempt attempt) {
    ContainerStateTerminated terminated = terminated(pod).orElse(null);
    String message = terminated == null ? null : terminated.getMessage();
    String output;
    if (message != null && !message.isBlank()) {
      output = message;
    } else if (simulated(pod)) {
      output = "";
    } else {
      output = lastNonBlankLine(log(pod, OUTPUT_LINES, Integer.MAX_VALUE).orElse(""));
    }
    keepLog(ref, pod, attempt);
    delete(ref);
    return outputs.succeed(output, attempt, null);
  }

  private ApplicationFailure failed(JobRef ref, Pod pod, Attempt attempt) {
    ContainerStateTerminated terminated = terminated(pod).orElse(null);
    String log = keepLog(ref, pod, attempt);
    delete(ref);
    StringBuilder why = new StringBuilder();
    if (terminated != null) {
      why.append("exit code ").append(terminated.getExitCode());
      if (terminated.getReason() != null) {
        why.append(" (").append(terminated.getReason()).append(')');
      }
    } else {
      why.append("pod ").append(pod.getMetadata().getName()).append(" failed");
      if (pod.getStatus().getReason() != null) {
        why.append(" (").append(pod.getStatus().getReason()).append(')');
      }
    }
    String detail =
        terminated != null && terminated.getMessage() != null && !terminated.getMessage().isBlank()
            ? terminated.getMessage()
            : pod.getStatus().getMessage() != null ? pod.getStatus().getMessage() : log;
    why.append(": ")
        .append(detail == null || detail.isBlank() ? "(no message and no log)" : tailChars(detail));
    return attempt.retryable(TaskFailures.CONTAINER_EXIT, why.toString(), null);
  }

  /**
   * Stores the end of the pod's log for {@code capstan logs} and returns it (or the notice where
   * pods are simulated). A log that cannot be read or stored is reported in the worker's log only:
   * the task's result does not depend on it.
   */
  private String keepLog(JobRef ref, Pod pod, Attempt attempt) {
    String text;
    boolean simulated = simulated(pod);
    if (simulated) {
      text = SIMULATED_LOG_NOTICE + "\n";
    } else {
      text =
          log(pod, LOG_TAIL_LINES, LOG_TAIL_BYTES)
              .orElse("(the log of pod " + pod.getMetadata().getName() + " could not be read)\n");
    }
    String header =
        "# pod "
            + ref.namespace()
            + "/"
            + pod.getMetadata().getName()
            + " of Job "
            + ref.name()
            + " on node "
            + Objects.requireNonNullElse(pod.getSpec().getNodeName(), "(none)")
            + "\n";
    outputs.keepLog(attempt, header + text);
    return simulated ? null : text;
  }

  private Optional<String> log(Pod pod, int lines, int bytes) {
    try {
      var container =
          client
              .pods()
              .inNamespace(pod.getMetadata().getNamespace())
              .withName(pod.getMetadata().getName())
              .inContainer(JobSpecs.CONTAINER);
      String text = container.tailingLines(lines).getLog();
      if (text != null && bytes != Integer.MAX_VALUE && text.length() > bytes) {
        // The end is what matters in a log: keep the last lines that fit.
        String end = text.substring(text.length() - bytes);
        int newline = end.indexOf('\n');
        text = "(earlier lines left out)\n" + (newline < 0 ? end : end.substring(newline + 1));
      }
      return Optional.ofNullable(text);
    } catch (KubernetesClientException e) {
      LOG.warn("cannot read the log of pod {}: {}", pod.getMetadata().getName(), e.getMessage());
      return Optional.empty();
    }
  }

  private Optional<String> lastEvent(JobRef ref) {
    try {
      return client
          .v1()
          .events()
          .inNamespace(ref.namespace())
          .withField("involvedObject.name", ref.name())
          .list()
          .getItems()
          .stream()
          .filter(e -> "Warning".equals(e.getType()))
          .max(Comparator.comparing(ContainerExecutor::eventTime))
          .map(e -> e.getReason() + ": " + e.getMessage());
    } catch (KubernetesClientException e) {
      return Optional.empty();
    }
  }

  private static String eventTime(Event event) {
    return Objects.requireNonNullElse(
        event.getLastTimestamp(),
        Objects.requireNonNullElse(
            event.getEventTime() == null ? null : event.getEventTime().getTime(), ""));
  }

  private ScalableResource<Job> jobResource(JobRef ref) {
    return client.batch().v1().jobs().inNamespace(ref.namespace()).withName(ref.name());
  }

  /**
   * Deletes the Job and its pods (background propagation: the garbage collector takes the pods).
   */
  private void delete(JobRef ref) {
    try {
      jobResource(ref).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
    } catch (KubernetesClientException e) {
      LOG.warn(
          "cannot delete Job {} ({}); its TTL of {} removes it later",
          ref,
          e.getMessage(),
          TaskOptions.describe(settings.finishedJobTtl()));
    }
  }

  /** Deletes the Job with its pods and waits (a while) until no pod of it is left. */
  private void deleteAndWait(JobRef ref) {
    try {
      // Foreground: the garbage collector deletes the pods before the Job itself goes; the
      // worker's Role has no verb on pods beyond reading them.
      jobResource(ref).withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
      client
          .pods()
          .inNamespace(ref.namespace())
          .withLabel("job-name", ref.name())
          .informOnCondition(List::isEmpty)
          .get(CANCEL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("canceled Job {} may still have pods: {}", ref, e.toString());
    }
  }

  private void ensureNamespace(String namespace, Attempt attempt) {
    if (namespacesSeen.contains(namespace)) {
      return;
    }
    try {
      if (client.namespaces().withName(namespace).get() == null) {
        client
            .namespaces()
            .resource(
                new NamespaceBuilder()
                    .withNewMetadata()
                    .withName(namespace)
                    .addToLabels(JobNames.MANAGED_BY, JobNames.MANAGER)
                    .endMetadata()
                    .build())
            .create();
        LOG.info("created Kubernetes namespace {}", namespace);
      }
      namespacesSeen.add(namespace);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        namespacesSeen.add(namespace);
      } else if (e.getCode() == 403) {
        // A Role without namespace verbs: the namespace must exist already, and creating the Job
        // says so plainly if it does not.
        namespacesSeen.add(namespace);
      } else {
        throw failure(attempt, "create", "namespaces", namespace, e);
      }
    }
  }

  private interface Call<T> {
    T run();
  }

  private static <T> T call(
      Attempt attempt, String verb, String resource, String namespace, Call<T> call) {
    try {
      return call.run();
    } catch (KubernetesClientException e) {
      throw failure(attempt, verb, resource, namespace, e);
    }
  }

  /** A Kubernetes API error as a task failure: refusals are final, the rest retryable. */
  static ApplicationFailure failure(
      Attempt attempt,
      String verb,
      String resource,
      String namespace,
      KubernetesClientException e) {
    int code = e.getCode();
    String reason =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : e.getMessage();
    if (code == 403) {
      return attempt.nonRetryable(
          TaskFailures.KUBERNETES_REFUSED,
          "the worker may not "
              + verb
              + " "
              + resource
              + " in Kubernetes namespace "
              + namespace
              + " (HTTP 403; the verbs it needs are in deploy/kubernetes/worker-rbac.yaml): "
              + reason,
          null);
    }
    if (code == 404
        && "namespaces".equals(resource) == false
        && reason != null
        && reason.contains("namespaces \"" + namespace + "\" not found")) {
      return attempt.nonRetryable(
          TaskFailures.KUBERNETES_REFUSED,
          "Kubernetes namespace "
              + namespace
              + " does not exist and the worker may not create it: create it, or map Capstan"
              + " namespaces elsewhere (--kube-namespace-template)",
          null);
    }
    if (code == 400 || code == 404 || code == 422) {
      return attempt.nonRetryable(
          TaskFailures.KUBERNETES_REFUSED,
          "Kubernetes refused to " + verb + " " + resource + " (HTTP " + code + "): " + reason,
          null);
    }
    return attempt.retryable(
        TaskFailures.KUBERNETES_UNAVAILABLE,
        "cannot "
            + verb
            + " "
            + resource
            + " in Kubernetes namespace "
            + namespace
            + (code > 0 ? " (HTTP " + code + ")" : "")
            + ": "
            + reason,
        e);
  }

  @SuppressWarnings("unchecked")
  private static <T> ResourceEventHandler<T> cast(ResourceEventHandler<Object> handler) {
    return (ResourceEventHandler<T>) (ResourceEventHandler<?>) handler;
  }

  private static String annotation(Job job, String key) {
    Map<String, String> annotations = job.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }

  private static int attemptOf(Job job) {
    Map<String, String> labels = job.getMetadata().getLabels();
    try {
      return labels == null
          ? 0
          : Integer.parseInt(labels.getOrDefault(JobNames.ATTEMPT_LABEL, "0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * Whether the pod ran on a simulated (kwok) node: such a node runs no container, so its status
   * names no container ID, which every real kubelet reports. Nothing can be read from its log.
   */
  static boolean simulated(Pod pod) {
    return status(pod)
        .map(s -> s.getContainerID() == null || s.getContainerID().isEmpty())
        .orElse(true);
  }

  private static Optional<ContainerStatus> status(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getContainerStatuses().stream()
        .filter(s -> JobSpecs.CONTAINER.equals(s.getName()))
        .findFirst();
  }

  private static Optional<ContainerStateWaiting> waiting(Pod pod) {
    return status(pod).map(ContainerStatus::getState).map(ContainerState::getWaiting);
  }

  private static Optional<ContainerStateTerminated> terminated(Pod pod) {
    return status(pod).map(ContainerStatus::getState).map(ContainerState::getTerminated);
  }

  private static Optional<PodCondition> unschedulable(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getConditions().stream()
        .filter(c -> "PodScheduled".equals(c.getType()))
        .filter(c -> "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason()))
        .findFirst();
  }

  private static Optional<JobCondition> condition(Job job, String type) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return job.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
        .findFirst();
  }

  private static boolean terminal(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private static String image(Pod pod) {
    return pod.getSpec().getContainers().stream()
        .filter(c -> JobSpecs.CONTAINER.equals(c.getName()))
        .map(c -> c.getImage())
        .findFirst()
        .orElse("(unknown)");
  }

  static String lastNonBlankLine(String text) {
    String[] lines = text.split("\r?\n");
    for (int i = lines.length - 1; i >= 0; i--) {
      if (!lines[i].isBlank()) {
        return lines[i].trim();
      }
    }
    return "";
  }

  private static String tailChars(String text) {
    String trimmed = text.strip();
    return trimmed.length() <= FAILURE_MESSAGE_CHARS
        ? trimmed
        : "…" + trimmed.substring(trimmed.length() - FAILURE_MESSAGE_CHARS);
  }
}
