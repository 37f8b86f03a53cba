package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.activities.kube.JobNames;
import io.capstan.app.kube.LocalCluster;
import io.capstan.app.kube.LocalKubernetes;
import io.capstan.testkit.Eventually;
import io.capstan.testkit.FreePorts;
import io.capstan.workers.WorkerRole;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code container} tasks end to end: the API and workflows on a dev server, the infrastructure
 * worker as a process of its own with the shipped Role (the worker kubeconfig of the local
 * cluster), and Jobs on the real control plane with kwok nodes. What happened in Kubernetes is
 * asserted from watches on the API server, not from Capstan's own account of it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerTasksIT {
  private final Path state =
      Path.of("target", "container-it", Long.toString(System.nanoTime())).toAbsolutePath();

  private LocalKubernetes cluster;
  private KubernetesClient admin;
  private CapstanRuntime runtime;
  private Http http;
  private Process worker;
  private int workers;

  @BeforeAll
  void start() {
    cluster = LocalCluster.get();
    admin = cluster.adminClient();
    runtime =
        new CapstanRuntime(
                CapstanRuntime.Config.devServer(
                        0, FreePorts.next(), FreePorts.next(), state, TemporalBinary.require())
                    .withRoles(EnumSet.of(WorkerRole.CONTROL_PLANE, WorkerRole.TASKS)))
            .start();
    http = new Http(runtime.apiUrl());
    worker = startWorker();
    Eventually.await(
        "the infrastructure worker to poll",
        () -> Http.json(http.get("/api/v1/info")).path("executors").toString(),
        executors -> executors.contains("container"));
  }

  @AfterAll
  void stop() throws InterruptedException {
    if (worker != null && worker.isAlive()) {
      worker.destroy();
      worker.waitFor(20, TimeUnit.SECONDS);
    }
    if (runtime != null) {
      runtime.close();
    }
    if (admin != null) {
      admin.close();
    }
  }

  @Test
  @DisplayName(
      "a pipeline of container tasks runs as Jobs: the first pod of transform fails, its retry"
          + " succeeds, outputs flow to a shell task, secrets stay references, Jobs are cleaned up")
  void pipelineOfContainers() {
    List<Job> created = new ArrayList<>();
    String id;
    try (Watch watch = watchJobs(created)) {
      id =
          submit(
              """
              apiVersion: capstan.io/v1
              kind: Pipeline
              metadata: {name: containers}
              spec:
                tasks:
                  - name: extract
                    container:
                      image: registry.example/extract:1.0
                      command: [extract]
                      simulate: {duration: 1s, output: "rows=42"}
                  - name: transform
                    dependsOn: [extract]
                    retry: {maxAttempts: 3, backoff: fixed, interval: 1s}
                    container:
                      image: registry.example/transform:1.0
                      args: ["#{extract.output}"]
                      env:
                        - {name: MODE, value: fast}
                        - {name: TOKEN, secretRef: api-token}
                      resources: {cpu: 500m, memory: 1Gi}
                      simulate: {duration: 500ms, failAttempts: 1, output: "transformed #{extract.output}"}
                  - name: load
                    dependsOn: [transform]
                    shell: {command: [sh, -c, "echo loaded #{transform.output}"]}
              """);
      JsonNode run = awaitEnd(id);
      assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
      assertThat(run.path("tasks").path("extract").path("output").asText()).isEqualTo("rows=42");
      assertThat(run.path("tasks").path("transform").path("attempts").asInt()).isEqualTo(2);
      assertThat(run.path("tasks").path("load").path("output").asText())
          .isEqualTo("loaded transformed rows=42");
      assertThat(run.path("tasks").path("transform").path("host").asText()).isEqualTo("infra-1");

      HttpResponse<String> podLog = http.get("/api/v1/runs/" + id + "/tasks/transform/logs");
      assertThat(podLog.statusCode()).as(podLog.body()).isEqualTo(200);
      assertThat(podLog.headers().firstValue("X-Capstan-Attempt")).hasValue("2");
      assertThat(podLog.body())
          .contains("# pod default/" + JobNames.job(id, "transform", 2))
          .contains("simulated kwok node");
      assertThat(http.get("/api/v1/runs/" + id + "/tasks/transform/logs?attempt=1").statusCode())
          .isEqualTo(200);
      HttpResponse<String> tooFar =
          http.get("/api/v1/runs/" + id + "/tasks/transform/logs?attempt=3");
      assertThat(tooFar.statusCode()).as(tooFar.body()).isEqualTo(400);
      HttpResponse<String> shellLog = http.get("/api/v1/runs/" + id + "/tasks/load/logs");
      assertThat(shellLog.body()).contains("# stdout (end)\nloaded transformed rows=42");
    }
    List<Job> ofRun =
        created.stream()
            .filter(j -> id.equals(j.getMetadata().getAnnotations().get(JobNames.RUN_ANNOTATION)))
            .toList();
    assertThat(ofRun)
        .extracting(j -> j.getMetadata().getName())
        .containsExactlyInAnyOrder(
            JobNames.job(id, "extract", 1),
            JobNames.job(id, "transform", 1),
            JobNames.job(id, "transform", 2));
    Job transform =
        ofRun.stream()
            .filter(j -> j.getMetadata().getName().equals(JobNames.job(id, "transform", 2)))
            .findFirst()
            .orElseThrow();
    assertThat(transform.getSpec().getBackoffLimit()).isZero();
    var container = transform.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getArgs()).containsExactly("rows=42");
    EnvVar token =
        container.getEnv().stream().filter(e -> e.getName().equals("TOKEN")).findFirst().get();
    assertThat(token.getValue()).isNull();
    assertThat(token.getValueFrom().getSecretKeyRef().getName()).isEqualTo("api-token");
    assertThat(container.getResources().getRequests().get("cpu").toString()).isEqualTo("500m");
    Eventually.within(
        Duration.ofSeconds(30),
        () ->
            assertThat(
                    admin
                        .batch()
                        .v1()
                        .jobs()
                        .inAnyNamespace()
                        .withLabel(JobNames.RUN_LABEL, JobNames.labelValue(id))
                        .list()
                        .getItems())
                .as("Jobs left after the run")
                .isEmpty());
  }

  @Test
  @DisplayName("a Job of 5 completions with maxConcurrent 2 never has more than 2 pods running")
  void completionsRespectMaxConcurrent() {
    Map<String, String> phases = new ConcurrentHashMap<>();
    AtomicInteger maxRunning = new AtomicInteger();
    Set<String> succeeded = ConcurrentHashMap.newKeySet();
    String[] runId = new String[1];
    try (Watch watch =
        admin
            .pods()
            .inAnyNamespace()
            .withLabel(JobNames.MANAGED_BY, JobNames.MANAGER)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, Pod pod) {
                    String run = pod.getMetadata().getAnnotations().get(JobNames.RUN_ANNOTATION);
                    if (runId[0] == null || !runId[0].equals(run)) {
                      return;
                    }
                    String name = pod.getMetadata().getName();
                    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
                    if (action == Action.DELETED) {
                      phases.remove(name);
                    } else if (phase != null) {
                      phases.put(name, phase);
                      if (phase.equals("Succeeded")) {
                        succeeded.add(name);
                      }
                    }
                    long running = phases.values().stream().filter("Running"::equals).count();
                    maxRunning.accumulateAndGet((int) running, Math::max);
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                })) {
      synchronized (runId) {
        runId[0] =
            submit(
                """
                apiVersion: capstan.io/v1
                kind: Job
                metadata: {name: five-pods}
                spec:
                  container:
                    image: registry.example/batch:2.0
                    simulate: {duration: 1500ms, output: part}
                  timeout: 5m
                  parallelism: {completions: 5, maxConcurrent: 2}
                """);
      }
      JsonNode run = awaitEnd(runId[0]);
      assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
      Eventually.within(
          Duration.ofSeconds(10), () -> assertThat(succeeded).as("pods that succeeded").hasSize(5));
    }
    assertThat(maxRunning.get()).as("most pods running at once").isEqualTo(2);
  }

  @Test
  @DisplayName("canceling a run deletes its running Job and the Job's pods")
  void cancelDeletesJobAndPods() {
    String id =
        submit(
            """
            apiVersion: capstan.io/v1
            kind: Pipeline
            metadata: {name: long-container}
            spec:
              tasks:
                - name: slow
                  container: {image: registry.example/slow:1.0, simulate: {duration: 10m}}
            """);
    String job = JobNames.job(id, "slow", 1);
    awaitRunningPod(job);
    HttpResponse<String> running = http.get("/api/v1/runs/" + id + "/tasks/slow/logs");
    assertThat(running.statusCode()).as(running.body()).isEqualTo(404);
    assertThat(running.body())
        .contains("attempt 1 is running; its log is kept when it ends")
        .contains("it runs as Job default/" + job)
        .contains("kubectl logs -n default -f job/" + job);
    HttpResponse<String> cancel =
        http.post("/api/v1/runs/" + id + "/cancel", "application/json", "");
    assertThat(cancel.statusCode()).as(cancel.body()).isLessThan(300);
    JsonNode run = awaitEnd(id);
    assertThat(run.path("status").asText()).isEqualTo("CANCELED");
    Eventually.within(
        Duration.ofSeconds(30),
        () -> {
          assertThat(admin.batch().v1().jobs().inNamespace("default").withName(job).get()).isNull();
          assertThat(
                  admin.pods().inNamespace("default").withLabel("job-name", job).list().getItems())
              .isEmpty();
        });
  }

  @Test
  @DisplayName(
      "an image that cannot be pulled and a pod no node takes fail at once, non-retryably, with"
          + " Kubernetes' own messages")
  void pullErrorsAndUnschedulablePods() {
    String id =
        submit(
            """
            apiVersion: capstan.io/v1
            kind: Pipeline
            metadata: {name: broken-containers}
            spec:
              onFailure: continue
              tasks:
                - name: missing-image
                  retry: {maxAttempts: 3}
                  container:
                    image: registry.example/does-not-exist:9.9
                    simulate: {imagePullError: "manifest unknown"}
                - name: nowhere
                  retry: {maxAttempts: 3}
                  container:
                    image: registry.example/app:1.0
                    nodeSelector: {disktype: nvme-that-no-node-has}
            """);
    JsonNode run = awaitEnd(id);
    assertThat(run.path("status").asText()).isEqualTo("FAILED");
    JsonNode pull = run.path("tasks").path("missing-image");
    assertThat(pull.path("attempts").asInt()).isEqualTo(1);
    assertThat(pull.path("error").asText())
        .contains("cannot pull image registry.example/does-not-exist:9.9")
        .contains("ErrImagePull")
        .contains("manifest unknown");
    JsonNode nowhere = run.path("tasks").path("nowhere");
    assertThat(nowhere.path("attempts").asInt()).isEqualTo(1);
    assertThat(nowhere.path("error").asText())
        .contains("found no node in 3s")
        .contains("didn't match Pod's node affinity/selector");
  }

  @Test
  @DisplayName(
      "kill -9 of the worker mid-task: the restarted worker re-attaches to the same Job, and no"
          + " second Job is ever created for the task")
  void workerCrashReattaches() throws Exception {
    List<Job> created = new ArrayList<>();
    try (Watch watch = watchJobs(created)) {
      String id =
          submit(
              """
              apiVersion: capstan.io/v1
              kind: Pipeline
              metadata: {name: survives-a-crash}
              spec:
                tasks:
                  - name: steady
                    retry: {maxAttempts: 3}
                    container: {image: registry.example/steady:1.0, simulate: {duration: 20s, output: survived}}
              """);
      String job = JobNames.job(id, "steady", 1);
      awaitRunningPod(job);
      worker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      worker = startWorker();
      JsonNode run = awaitEnd(id, Duration.ofSeconds(120));
      assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
      JsonNode steady = run.path("tasks").path("steady");
      assertThat(steady.path("output").asText()).isEqualTo("survived");
      assertThat(steady.path("attempts").asInt()).as("the retry after the crash").isEqualTo(2);
      assertThat(
              created.stream()
                  .filter(
                      j -> id.equals(j.getMetadata().getAnnotations().get(JobNames.RUN_ANNOTATION)))
                  .map(j -> j.getMetadata().getName()))
          .as("every Job ever created for the run")
          .containsExactly(job);
    }
  }

  /** Waits until the API server reports a pod of Job {@code job} Running. */
  private void awaitRunningPod(String job) {
    Eventually.within(
        Duration.ofSeconds(30),
        () ->
            assertThat(
                    admin
                        .pods()
                        .inNamespace("default")
                        .withLabel("job-name", job)
                        .list()
                        .getItems())
                .anySatisfy(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Running")));
  }

  /** Records every Job the API server reports as added, from now on. */
  private Watch watchJobs(List<Job> created) {
    return admin
        .batch()
        .v1()
        .jobs()
        .inAnyNamespace()
        .withLabel(JobNames.MANAGED_BY, JobNames.MANAGER)
        .watch(
            new Watcher<>() {
              @Override
              public void eventReceived(Action action, Job job) {
                if (action == Action.ADDED) {
                  synchronized (created) {
                    created.add(job);
                  }
                }
              }

              @Override
              public void onClose(WatcherException cause) {}
            });
  }

  private String submit(String yaml) {
    HttpResponse<String> response = http.post("/api/v1/runs", "application/yaml", yaml);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return Http.json(response).path("id").asText();
  }

  private JsonNode awaitEnd(String id) {
    return awaitEnd(id, Duration.ofSeconds(60));
  }

  private JsonNode awaitEnd(String id, Duration patience) {
    return Eventually.get(
        patience,
        () -> {
          JsonNode run = Http.json(http.get("/api/v1/runs/" + id));
          assertThat(run.path("status").asText()).as(run.toString()).isNotEqualTo("RUNNING");
          return run;
        });
  }

  private Process startWorker() {
    workers++;
    return WorkerProcess.infrastructure(
        runtime,
        cluster.workerKubeconfig(),
        "infra-1",
        state,
        state.resolve("worker-" + workers + ".log"),
        "--pod-unschedulable-timeout",
        "3s");
  }
}
