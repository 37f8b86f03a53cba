package io.capstan.definitions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.capstan.definitions.cluster.BudgetAlert;
import io.capstan.definitions.cluster.CloudProvider;
import io.capstan.definitions.cluster.ClusterSpec;
import io.capstan.definitions.cluster.LaunchTemplateRef;
import io.capstan.definitions.cluster.NodePoolSpec;
import io.capstan.definitions.cluster.OnBudget;
import io.capstan.definitions.cluster.Taint;
import io.capstan.definitions.cluster.TaintEffect;
import io.capstan.definitions.executor.ExecutorKind;
import io.capstan.definitions.executor.GpuOp;
import io.capstan.definitions.job.ScheduleOverlap;
import io.capstan.definitions.pipeline.TaskSpec;
import io.capstan.definitions.rollout.Checkpoint;
import io.capstan.definitions.rollout.RollingUpdateSpec;
import io.capstan.definitions.rollout.RolloutBudget;
import io.capstan.definitions.rollout.RolloutOnFailure;
import io.capstan.definitions.rollout.RolloutWindow;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("The example definitions are valid and do what their comments say")
class ExamplesTest {
  static Stream<Path> examples() {
    return Examples.all().stream();
  }

  @Test
  void theDocumentedExamplesAreAllThere() {
    assertThat(Examples.all())
        .extracting(p -> p.getFileName().toString())
        .contains(
            "nightly-etl.yaml",
            "nightly-etl-simulated.yaml",
            "hello-pipeline.yaml",
            "shell-pipeline.yaml",
            "flaky-job.yaml",
            "long-pipeline.yaml",
            "scheduled-job.yaml",
            "container-pipeline.yaml",
            "gpu-pipeline.yaml",
            "cluster.yaml",
            "rolling-update.yaml");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void everyExampleIsAValidDefinition(Path file) {
    assertThat(DefinitionParser.parse(Examples.read(file))).isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void everyExampleButTheSpecOneRunsOnTodaysWorkers(Path file) {
    if (file.getFileName().toString().equals("nightly-etl.yaml")) {
      return;
    }
    // Container tasks run on the local cluster ./capstan up starts (or the one it is given), gpu
    // tasks on its simulated GPU hosts.
    Set<ExecutorKind> runnable =
        EnumSet.of(
            ExecutorKind.SIMULATE, ExecutorKind.SHELL, ExecutorKind.CONTAINER, ExecutorKind.GPU);
    for (Definition definition : DefinitionParser.parse(Examples.read(file))) {
      if (definition instanceof PipelineDefinition pipeline) {
        assertThat(pipeline.spec().tasks())
            .extracting(TaskSpec::executorKind)
            .allMatch(runnable::contains);
      } else if (definition instanceof JobDefinition job) {
        assertThat(job.spec().executorKind()).isIn(runnable);
      } else if (definition instanceof RollingUpdateDefinition rollout) {
        // A rollout runs no executor; it rolls a pool of the simulated example cluster.
        ClusterDefinition cluster =
            (ClusterDefinition) DefinitionParser.parse(Examples.read("cluster.yaml")).get(0);
        assertThat(rollout.spec().cluster()).isEqualTo(cluster.metadata().name());
        assertThat(cluster.spec().pool(rollout.spec().nodePool())).isPresent();
      } else {
        // A cluster runs no executor; a simulated one needs no cloud account.
        assertThat(((ClusterDefinition) definition).spec().provider())
            .isEqualTo(CloudProvider.SIMULATED);
      }
    }
  }

  @Test
  void theSpecExampleUsesContainerAndGpuTasks() {
    PipelineDefinition pipeline =
        (PipelineDefinition) DefinitionParser.parse(Examples.read("nightly-etl.yaml")).get(0);

    assertThat(pipeline.spec().tasks())
        .extracting(TaskSpec::executorKind)
        .contains(ExecutorKind.CONTAINER, ExecutorKind.GPU);
  }

  @Test
  void helloPipelineIsASmallDagWithParamsOutputsAndOneRetry() {
    PipelineDefinition hello =
        (PipelineDefinition) DefinitionParser.parse(Examples.read("hello-pipeline.yaml")).get(0);

    List<TaskSpec> tasks = hello.spec().tasks();
    assertThat(tasks).hasSize(6);
    assertThat(tasks)
        .extracting(t -> t.simulate().duration())
        .allMatch(d -> d.compareTo(Duration.ofSeconds(2)) >= 0)
        .allMatch(d -> d.compareTo(Duration.ofSeconds(4)) <= 0);
    assertThat(hello.spec().params()).isNotEmpty();
    assertThat(tasks).anyMatch(t -> t.simulate().output().contains("#{params."));
    assertThat(tasks).anyMatch(t -> t.simulate().output().contains(".output}"));
    assertThat(tasks)
        .filteredOn(t -> t.simulate().failAttempts() > 0)
        .singleElement()
        .satisfies(
            t ->
                assertThat(hello.spec().defaults().retry().maxAttempts())
                    .isGreaterThan(t.simulate().failAttempts()));
  }

  @Test
  void longPipelineLeavesTimeToCancel() {
    PipelineDefinition slow =
        (PipelineDefinition) DefinitionParser.parse(Examples.read("long-pipeline.yaml")).get(0);

    assertThat(slow.spec().tasks())
        .extracting(t -> t.simulate().duration())
        .allMatch(d -> d.compareTo(Duration.ofSeconds(20)) >= 0);
  }

  @Test
  void flakyJobRestartsAndRunsSeveralCompletions() {
    JobDefinition job =
        (JobDefinition) DefinitionParser.parse(Examples.read("flaky-job.yaml")).get(0);

    assertThat(job.spec().restartPolicy().maxRetries()).isPositive();
    assertThat(job.spec().parallelism().completions()).isGreaterThan(1);
    assertThat(job.spec().parallelism().maxConcurrent()).isGreaterThan(1);
  }

  @Test
  void shellPipelineRunsShellTasksOnly() {
    PipelineDefinition shell =
        (PipelineDefinition) DefinitionParser.parse(Examples.read("shell-pipeline.yaml")).get(0);

    assertThat(shell.spec().tasks())
        .extracting(TaskSpec::executorKind)
        .containsOnly(ExecutorKind.SHELL);
    assertThat(shell.spec().tasks()).allMatch(t -> t.shell().command().get(0).equals("sh"));
  }

  @Test
  void clusterIsASimulatedGeneralPoolAndASpotGpuPoolThatIsBurnedIn() {
    ClusterDefinition cluster =
        (ClusterDefinition) DefinitionParser.parse(Examples.read("cluster.yaml")).get(0);

    ClusterSpec spec = cluster.spec();
    assertThat(cluster.metadata().name()).isEqualTo("demo");
    assertThat(spec.provider()).isEqualTo(CloudProvider.SIMULATED);
    assertThat(spec.region()).isEqualTo("us-west-2");
    assertThat(spec.nodePools()).extracting(NodePoolSpec::name).containsExactly("general", "gpu");
    NodePoolSpec general = spec.pool("general").orElseThrow();
    assertThat(general.instanceType()).isEqualTo("m5.large");
    assertThat(general.minSize()).isEqualTo(2);
    assertThat(general.desiredSize()).isEqualTo(2);
    assertThat(general.maxSize()).isEqualTo(5);
    assertThat(general.labels())
        .containsExactly(entry("pool", "general"), entry("tier", "standard"));
    assertThat(general.isGpu()).isFalse();
    NodePoolSpec gpu = spec.pool("gpu").orElseThrow();
    assertThat(gpu.instanceType()).isEqualTo("p4d.24xlarge");
    assertThat(gpu.minSize()).isEqualTo(1);
    assertThat(gpu.maxSize()).isEqualTo(3);
    assertThat(gpu.spot().maxPrice()).isEqualTo("15.0");
    assertThat(gpu.gpu().perNode()).isEqualTo(8);
    assertThat(gpu.gpu().validate().op()).isEqualTo(GpuOp.BURN_IN);
    assertThat(gpu.gpu().validate().duration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(gpu.labels()).containsExactly(entry("pool", "gpu"));
    assertThat(gpu.taints())
        .containsExactly(new Taint("nvidia.com/gpu", "present", TaintEffect.NO_SCHEDULE));
    assertThat(gpu.simulate().bootDelay()).isEqualTo(Duration.ofSeconds(2));
    assertThat(spec.autoscaling().enabled()).isTrue();
    assertThat(spec.autoscaling().minNodes()).isEqualTo(3);
    assertThat(spec.autoscaling().maxNodes()).isEqualTo(8);
    assertThat(spec.autoscaling().scaleDownDelay()).isEqualTo(Duration.ofMinutes(10));
    assertThat(spec.budget().monthlyLimit()).isEqualByComparingTo(new BigDecimal("50000"));
    assertThat(spec.budget().alerts())
        .extracting(BudgetAlert::thresholdPercent)
        .containsExactly(80, 100);
    assertThat(spec.budget().onBudget()).isEqualTo(OnBudget.ALERT);
    assertThat(spec.readyTimeout()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void rollingUpdateRollsTheDemoClustersGeneralPoolOneNodeAtATimeAtNight() {
    RollingUpdateDefinition rollout =
        (RollingUpdateDefinition)
            DefinitionParser.parse(Examples.read("rolling-update.yaml")).get(0);

    RollingUpdateSpec spec = rollout.spec();
    assertThat(rollout.metadata().name()).isEqualTo("general-to-v2");
    assertThat(spec.cluster()).isEqualTo("demo");
    assertThat(spec.nodePool()).isEqualTo("general");
    assertThat(spec.launchTemplate()).isEqualTo(new LaunchTemplateRef(null, "2"));
    assertThat(spec.strategy().budget(2)).isEqualTo(new RolloutBudget(1, 0));
    assertThat(spec.strategy().drainTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(spec.strategy().nodeDrainGracePeriod()).isEqualTo(Duration.ofSeconds(30));
    assertThat(spec.checkpoints())
        .containsExactly(new Checkpoint(50, null, true), new Checkpoint(100, Duration.ZERO, false));
    assertThat(spec.soak()).isEqualTo(Duration.ofSeconds(30));
    assertThat(spec.window())
        .isEqualTo(new RolloutWindow("0 22 * * MON-FRI", Duration.ofHours(6), "Europe/Paris"));
    assertThat(spec.onFailure()).isEqualTo(RolloutOnFailure.PAUSE);
  }

  @Test
  void scheduledJobRunsEveryMinuteForTwoSeconds() {
    JobDefinition job =
        (JobDefinition) DefinitionParser.parse(Examples.read("scheduled-job.yaml")).get(0);

    assertThat(job.spec().schedule().cron()).isEqualTo("* * * * *");
    assertThat(job.spec().schedule().overlap()).isEqualTo(ScheduleOverlap.BUFFER_ONE);
    assertThat(job.spec().schedule().catchupWindow()).isEqualTo(Duration.ofMinutes(5));
    assertThat(job.spec().schedule().paused()).isFalse();
    assertThat(job.spec().simulate().duration()).isEqualTo(Duration.ofSeconds(2));
  }
}
