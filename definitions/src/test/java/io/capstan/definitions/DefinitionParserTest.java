package io.capstan.definitions;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.definitions.executor.EnvVar;
import io.capstan.definitions.executor.ExecutorKind;
import io.capstan.definitions.executor.GpuOp;
import io.capstan.definitions.job.CompletionStrategy;
import io.capstan.definitions.pipeline.Backoff;
import io.capstan.definitions.pipeline.OnFailure;
import io.capstan.definitions.pipeline.TaskSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("DefinitionParser reads valid definitions into records")
class DefinitionParserTest {
  static final String SPEC_PIPELINE =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: nightly-etl, namespace: team-a}
      spec:
        params: {source: database}
        parallelism: 4
        onFailure: stop
        timeout: 4h
        defaults:
          retry: {maxAttempts: 3, backoff: exponential, initial: 10s, max: 5m, multiplier: 2}
          timeout: 1h
        tasks:
          - name: extract
            simulate: {duration: 2s, output: "rows-#{params.source}"}
          - name: transform
            dependsOn: [extract]
            container:
              image: data-transformer:1.4
              command: [transform, --input, "#{extract.output}"]
              resources: {cpu: 2, memory: 4Gi}
            retry: {maxAttempts: 5, backoff: linear, interval: 60s}
          - name: validate-gpus
            gpu: {devices: 1, op: burn-in, duration: 30s}
          - name: load
            dependsOn: [transform, validate-gpus]
            shell: {command: [sh, -c, "echo loaded #{transform.output}"]}
      """;

  @Test
  void theSpecPipelineBecomesAPipelineDefinitionWithEveryField() {
    List<Definition> definitions = DefinitionParser.parse(SPEC_PIPELINE);

    assertThat(definitions).hasSize(1);
    PipelineDefinition pipeline = (PipelineDefinition) definitions.get(0);
    assertThat(pipeline.apiVersion()).isEqualTo(Definition.API_VERSION);
    assertThat(pipeline.kind()).isEqualTo("Pipeline");
    assertThat(pipeline.metadata().name()).isEqualTo("nightly-etl");
    assertThat(pipeline.metadata().namespace()).isEqualTo("team-a");
    assertThat(pipeline.spec().params()).isEqualTo(Map.of("source", "database"));
    assertThat(pipeline.spec().parallelism()).isEqualTo(4);
    assertThat(pipeline.spec().onFailure()).isEqualTo(OnFailure.STOP);
    assertThat(pipeline.spec().timeout()).isEqualTo(Duration.ofHours(4));
    assertThat(pipeline.spec().defaults().timeout()).isEqualTo(Duration.ofHours(1));
    assertThat(pipeline.spec().defaults().retry().backoff()).isEqualTo(Backoff.EXPONENTIAL);
    assertThat(pipeline.spec().defaults().retry().initial()).isEqualTo(Duration.ofSeconds(10));
    assertThat(pipeline.spec().defaults().retry().max()).isEqualTo(Duration.ofMinutes(5));
    assertThat(pipeline.spec().defaults().retry().multiplier()).isEqualTo(2.0);

    List<TaskSpec> tasks = pipeline.spec().tasks();
    assertThat(tasks)
        .extracting(TaskSpec::name)
        .containsExactly("extract", "transform", "validate-gpus", "load");
    assertThat(tasks)
        .extracting(TaskSpec::executorKind)
        .containsExactly(
            ExecutorKind.SIMULATE, ExecutorKind.CONTAINER, ExecutorKind.GPU, ExecutorKind.SHELL);
    assertThat(tasks.get(0).simulate().duration()).isEqualTo(Duration.ofSeconds(2));
    assertThat(tasks.get(0).simulate().output()).isEqualTo("rows-#{params.source}");
    assertThat(tasks.get(1).container().command())
        .containsExactly("transform", "--input", "#{extract.output}");
    assertThat(tasks.get(1).container().resources().cpu()).isEqualTo("2");
    assertThat(tasks.get(1).container().resources().memory()).isEqualTo("4Gi");
    assertThat(tasks.get(1).retry().backoff()).isEqualTo(Backoff.LINEAR);
    assertThat(tasks.get(1).retry().interval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(tasks.get(2).gpu().op()).isEqualTo(GpuOp.BURN_IN);
    assertThat(tasks.get(2).gpu().duration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(tasks.get(3).dependsOn()).containsExactly("transform", "validate-gpus");
    assertThat(tasks.get(3).shell().command())
        .containsExactly("sh", "-c", "echo loaded #{transform.output}");
  }

  @Test
  void aJobBecomesAJobDefinitionWithDefaultsFilledIn() {
    JobDefinition job =
        (JobDefinition)
            DefinitionParser.parse(
                    """
                    apiVersion: capstan.io/v1
                    kind: Job
                    metadata: {name: flaky}
                    spec:
                      simulate: {duration: 500ms, failureRate: 0.25, seed: 7}
                      restartPolicy: {maxRetries: 3, backoff: fixed, interval: 2s}
                      timeout: PT5M
                      parallelism: {completions: 4, completionStrategy: AnySuccessful}
                    """)
                .get(0);

    assertThat(job.metadata().namespace()).isEqualTo("default");
    assertThat(job.spec().simulate().duration()).isEqualTo(Duration.ofMillis(500));
    assertThat(job.spec().simulate().failureRate()).isEqualTo(0.25);
    assertThat(job.spec().simulate().seed()).isEqualTo(7L);
    assertThat(job.spec().restartPolicy().maxRetries()).isEqualTo(3);
    assertThat(job.spec().restartPolicy().backoff()).isEqualTo(Backoff.FIXED);
    assertThat(job.spec().timeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(job.spec().parallelism().completions()).isEqualTo(4);
    assertThat(job.spec().parallelism().maxConcurrent()).isEqualTo(4);
    assertThat(job.spec().parallelism().completionStrategy())
        .isEqualTo(CompletionStrategy.AnySuccessful);
  }

  @Test
  void jsonIsAcceptedTooEvenWhenIndentedWithTabs() {
    String json =
        "{\n"
            + "\t\"apiVersion\": \"capstan.io/v1\",\n"
            + "\t\"kind\": \"Job\",\n"
            + "\t\"metadata\": {\"name\": \"from-json\"},\n"
            + "\t\"spec\": {\"shell\": {\"command\": [\"echo\", \"hi\"]}, \"timeout\": \"10s\"}\n"
            + "}\n";

    JobDefinition job = (JobDefinition) DefinitionParser.parse(json).get(0);

    assertThat(job.metadata().name()).isEqualTo("from-json");
    assertThat(job.spec().shell().command()).containsExactly("echo", "hi");
    assertThat(job.spec().timeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void everyDocumentOfAMultiDocumentStreamIsReturnedInOrder() {
    List<Definition> definitions =
        DefinitionParser.parse(
            """
            apiVersion: capstan.io/v1
            kind: Job
            metadata: {name: first}
            spec: {simulate: {duration: 1s}}
            ---
            apiVersion: capstan.io/v1
            kind: Pipeline
            metadata: {name: second}
            spec:
              tasks: [{name: only, simulate: {}}]
            ---
            """);

    assertThat(definitions)
        .extracting(d -> d.kind() + "/" + d.metadata().name())
        .containsExactly("Job/first", "Pipeline/second");
  }

  @Test
  void numbersAndBooleansInStringFieldsKeepTheTextAsWritten() {
    PipelineDefinition pipeline =
        (PipelineDefinition)
            DefinitionParser.parse(
                    """
                    apiVersion: capstan.io/v1
                    kind: Pipeline
                    metadata: {name: texts, labels: {version: 1.10, stable: true}}
                    spec:
                      params: {count: 0x1F, ratio: 1e3}
                      tasks:
                        - name: sleep
                          shell: {command: [sleep, 5], env: {PORT: 8080}}
                    """)
                .get(0);

    assertThat(pipeline.metadata().labels()).containsEntry("version", "1.10");
    assertThat(pipeline.metadata().labels()).containsEntry("stable", "true");
    assertThat(pipeline.spec().params()).containsEntry("count", "0x1F");
    assertThat(pipeline.spec().params()).containsEntry("ratio", "1e3");
    assertThat(pipeline.spec().tasks().get(0).shell().command()).containsExactly("sleep", "5");
    assertThat(pipeline.spec().tasks().get(0).shell().env())
        .containsExactly(EnvVar.of("PORT", "8080"));
  }

  @Test
  void yamlOneOneBooleansLikeYesStayStrings() {
    PipelineDefinition pipeline =
        (PipelineDefinition)
            DefinitionParser.parse(
                    """
                    apiVersion: capstan.io/v1
                    kind: Pipeline
                    metadata: {name: norway}
                    spec:
                      params: {country: NO, answer: yes}
                      tasks: [{name: a, simulate: {output: off}}]
                    """)
                .get(0);

    assertThat(pipeline.spec().params()).containsEntry("country", "NO");
    assertThat(pipeline.spec().params()).containsEntry("answer", "yes");
    assertThat(pipeline.spec().tasks().get(0).simulate().output()).isEqualTo("off");
  }

  @Test
  void anchorsAliasesAndMergeKeysShareSettingsBetweenTasks() {
    PipelineDefinition pipeline =
        (PipelineDefinition)
            DefinitionParser.parse(
                    """
                    apiVersion: capstan.io/v1
                    kind: Pipeline
                    metadata: {name: anchors}
                    spec:
                      tasks:
                        - &base
                          name: first
                          retry: {maxAttempts: 4}
                          simulate: {duration: 1s}
                        - <<: *base
                          name: second
                          dependsOn: [first]
                    """)
                .get(0);

    TaskSpec second = pipeline.spec().tasks().get(1);
    assertThat(second.name()).isEqualTo("second");
    assertThat(second.retry().maxAttempts()).isEqualTo(4);
    assertThat(second.simulate().duration()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void paramsPassedAtSubmitMayBeReferencedWithoutBeingDeclared() {
    String yaml =
        """
        apiVersion: capstan.io/v1
        kind: Job
        metadata: {name: with-extra}
        spec:
          shell: {command: [echo, "#{params.target}"]}
        """;

    assertThat(DefinitionParser.parse(yaml, Set.of("target"))).hasSize(1);
    assertThat(Rejections.messages(yaml))
        .containsExactly(
            "spec.shell.command[1]: '#{params.target}' refers to unknown param 'target';"
                + " declare it in spec.params");
  }

  @Test
  void aUtf8BodyWithAByteOrderMarkIsRead() {
    byte[] body =
        ("\uFEFFapiVersion: capstan.io/v1\nkind: Job\nmetadata: {name: bom}\n"
                + "spec: {simulate: {output: \"café\"}}\n")
            .getBytes(StandardCharsets.UTF_8);

    JobDefinition job = (JobDefinition) DefinitionParser.parse(body).get(0);

    assertThat(job.spec().simulate().output()).isEqualTo("café");
  }

  @Test
  void aBodyThatIsNotUtf8IsRefusedWithAClearError() {
    byte[] latin1 =
        "kind: Job\nmetadata: {name: caf\u00e9}\n".getBytes(StandardCharsets.ISO_8859_1);

    DefinitionException refused = Rejections.ofBytes(latin1);

    assertThat(refused.error()).isEqualTo("the definition is not UTF-8 text");
  }

  @Test
  void containerAndGpuTasksValidateEvenThoughNoWorkerRunsThemYet() {
    List<Definition> definitions =
        DefinitionParser.parse(
            """
            apiVersion: capstan.io/v1
            kind: Pipeline
            metadata: {name: future}
            spec:
              tasks:
                - name: train
                  container:
                    image: trainer:2
                    args: [--epochs, 3]
                    resources: {cpu: 500m, memory: 8Gi, gpu: 1}
                    nodeSelector: {pool: gpu}
                    tolerations: [{key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}]
                - name: check
                  gpu: {devices: 8, op: gemm, dtype: bf16, minTflops: 200}
            """);

    PipelineDefinition pipeline = (PipelineDefinition) definitions.get(0);
    assertThat(pipeline.spec().tasks().get(0).container().tolerations()).hasSize(1);
    assertThat(pipeline.spec().tasks().get(1).gpu().devices()).isEqualTo(8);
  }

  @Test
  void onFailurePauseMakesARunWaitForARetryAndOtherValuesNameAllThree() {
    PipelineDefinition pipeline =
        (PipelineDefinition)
            DefinitionParser.parse(
                    """
                    apiVersion: capstan.io/v1
                    kind: Pipeline
                    metadata: {name: p}
                    spec: {onFailure: pause, tasks: [{name: a, simulate: {}}]}
                    """)
                .get(0);

    assertThat(pipeline.spec().onFailure()).isEqualTo(OnFailure.PAUSE);
    assertThat(
            Rejections.messages(
                """
                apiVersion: capstan.io/v1
                kind: Pipeline
                metadata: {name: p}
                spec: {onFailure: wait, tasks: [{name: a, simulate: {}}]}
                """))
        .containsExactly("spec.onFailure: 'wait' is not allowed: use stop, continue or pause");
  }
}
