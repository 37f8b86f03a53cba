package io.capstan.definitions.executor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.definitions.DefinitionParser;
import io.capstan.definitions.JobDefinition;
import io.capstan.definitions.PipelineDefinition;
import io.capstan.definitions.Templates;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("env binds from the map form and the list form, with secrets by name")
class EnvVarTest {
  private static final String HEADER =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: p}
      spec:
        params: {region: eu}
      """;

  private static ShellSpec shellOf(String tasks) {
    PipelineDefinition pipeline =
        (PipelineDefinition) DefinitionParser.parse(HEADER + tasks).get(0);
    return pipeline.spec().tasks().get(0).shell();
  }

  @Nested
  @DisplayName("binding")
  class Binding {
    @Test
    void theMapFormBindsToLiteralVariablesInTheOrderWritten() {
      ShellSpec shell =
          shellOf(
              """
                tasks:
                  - name: a
                    shell: {command: [env], env: {ZONE: b, PORT: 8080, DEBUG: true}}
              """);

      assertThat(shell.env())
          .containsExactly(
              EnvVar.of("ZONE", "b"), EnvVar.of("PORT", "8080"), EnvVar.of("DEBUG", "true"));
    }

    @Test
    void theListFormBindsValuesAndSecretReferencesKeepingNumbersAsWritten() {
      ShellSpec shell =
          shellOf(
              """
                tasks:
                  - name: a
                    shell:
                      command: [env]
                      env:
                        - {name: DB_URL, secretRef: db-url}
                        - {name: VERSION, value: 1.10}
                        - {name: REGION, value: "#{params.region}"}
              """);

      assertThat(shell.env())
          .containsExactly(
              EnvVar.secret("DB_URL", "db-url"),
              EnvVar.of("VERSION", "1.10"),
              EnvVar.of("REGION", "#{params.region}"));
      assertThat(shell.env().get(0).isSecret()).isTrue();
    }

    @Test
    void aJobContainerAcceptsTheListFormToo() {
      JobDefinition job =
          (JobDefinition)
              DefinitionParser.parse(
                      """
                      apiVersion: capstan.io/v1
                      kind: Job
                      metadata: {name: j}
                      spec:
                        container:
                          image: busybox:1.36
                          env: [{name: TOKEN, secretRef: api-token}, {name: MODE, value: fast}]
                      """)
                  .get(0);

      assertThat(job.spec().container().env())
          .containsExactly(EnvVar.secret("TOKEN", "api-token"), EnvVar.of("MODE", "fast"));
    }

    @Test
    void renderingReplacesReferencesInValuesButNeverTouchesASecretReference() {
      ShellSpec spec =
          new ShellSpec(
              List.of("run", "#{params.region}"),
              List.of(EnvVar.of("REGION", "#{params.region}"), EnvVar.secret("KEY", "api-key")),
              null);

      ShellSpec rendered = spec.render(Templates.renderer(Map.of("region", "eu-west"), Map.of()));

      assertThat(rendered.command()).containsExactly("run", "eu-west");
      assertThat(rendered.env())
          .containsExactly(EnvVar.of("REGION", "eu-west"), EnvVar.secret("KEY", "api-key"));
      assertThat(EnvVar.literals(rendered.env())).containsExactly(Map.entry("REGION", "eu-west"));
    }
  }

  @Nested
  @DisplayName("serialisation through a plain, strict Jackson mapper, as Temporal's")
  class Serialisation {
    // Temporal's mapper fails on unknown properties, so nothing but the components may be written.
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void aShellSpecWithSecretsRoundTripsAsAList() throws Exception {
      ShellSpec spec =
          new ShellSpec(
              List.of("sh"), List.of(EnvVar.of("A", "1"), EnvVar.secret("B", "b-secret")), "/tmp");

      String json = mapper.writeValueAsString(spec);

      assertThat(json)
          .isEqualTo(
              "{\"command\":[\"sh\"],\"env\":[{\"name\":\"A\",\"value\":\"1\",\"secretRef\":null},"
                  + "{\"name\":\"B\",\"value\":null,\"secretRef\":\"b-secret\"}],\"workingDir\":\"/tmp\"}");
      assertThat(mapper.readValue(json, ShellSpec.class)).isEqualTo(spec);
    }

    @Test
    void theMapFormWrittenByEarlierVersionsStillReads() throws Exception {
      String recorded =
          "{\"command\":[\"sh\"],\"env\":{\"A\":\"1\",\"B\":\"2\"},\"workingDir\":null}";

      ShellSpec spec = mapper.readValue(recorded, ShellSpec.class);

      assertThat(spec.env()).containsExactly(EnvVar.of("A", "1"), EnvVar.of("B", "2"));
    }

    @Test
    void aContainerSpecWithAnEmptyOrMissingEnvReadsAsNoVariables() throws Exception {
      assertThat(mapper.readValue("{\"image\":\"i\",\"env\":{}}", ContainerSpec.class).env())
          .isEmpty();
      assertThat(mapper.readValue("{\"image\":\"i\",\"env\":null}", ContainerSpec.class).env())
          .isEmpty();
      assertThat(mapper.readValue("{\"image\":\"i\"}", ContainerSpec.class).env()).isEmpty();
    }
  }
}
