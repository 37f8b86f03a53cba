package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.outputs.OutputStores;
import io.capstan.testkit.Eventually;
import io.capstan.testkit.FreePorts;
import io.capstan.testkit.MotoServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code CAPSTAN_OUTPUT_STORE=s3://…}: the workers store large outputs in S3 (moto_server here,
 * through the real AWS SDK), the next task and the API read them back from there, and nothing is
 * written to the state folder's outputs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutputsInS3DevServerIT {
  private static final String BUCKET = "capstan-outputs";

  private final Path state =
      Path.of("target", "outputs-in-s3-it", Long.toString(System.nanoTime())).toAbsolutePath();

  private MotoServer moto;
  private S3Client s3;
  private CapstanRuntime runtime;
  private Http http;

  @BeforeAll
  void start() throws IOException {
    moto = MotoServer.start().useForAwsSdk();
    s3 =
        S3Client.builder()
            .endpointOverride(moto.endpoint())
            .forcePathStyle(true)
            .region(Region.of(MotoServer.REGION))
            .build();
    s3.createBucket(b -> b.bucket(BUCKET));
    runtime =
        new CapstanRuntime(
                CapstanRuntime.Config.devServer(
                    0, FreePorts.next(), FreePorts.next(), state, TemporalBinary.require()),
                Map.of(
                    OutputStores.STORE_ENV,
                    "s3://" + BUCKET + "/team-a",
                    OutputStores.S3_ENDPOINT_ENV,
                    moto.endpoint().toString(),
                    "AWS_REGION",
                    MotoServer.REGION))
            .start();
    http = new Http(runtime.apiUrl());
  }

  @AfterAll
  void stop() {
    if (runtime != null) {
      runtime.close();
    }
    if (s3 != null) {
      s3.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  @Test
  @DisplayName("a 300 KB output goes to S3, reaches the next task and the API byte for byte")
  void outputsGoToS3AndComeBack() {
    assertThat(runtime.outputs().describe()).isEqualTo("s3://" + BUCKET + "/team-a/");
    HttpResponse<String> submitted =
        http.post(
            "/api/v1/runs",
            "application/yaml",
            """
            apiVersion: capstan.io/v1
            kind: Pipeline
            metadata: {name: s3-outputs}
            spec:
              tasks:
                - name: make
                  shell: {command: [sh, -c, 'head -c 300000 /dev/zero | tr "\\\\0" s']}
                - name: count
                  dependsOn: [make]
                  shell: {command: [sh, -c, 'wc -c < "$CAPSTAN_INPUTS/make"']}
            """);
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
    String id = Http.json(submitted).path("id").asText();

    JsonNode run =
        Eventually.get(
            Duration.ofMinutes(1),
            () -> {
              JsonNode r = Http.json(http.get("/api/v1/runs/" + id));
              assertThat(r.path("status").asText()).isNotEqualTo("RUNNING");
              return r;
            });

    assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
    assertThat(run.path("tasks").path("count").path("output").asText()).isEqualTo("300000");
    String key = run.path("tasks").path("make").path("outputRef").path("key").asText();
    assertThat(key).startsWith("runs/" + id + "/make/");
    assertThat(s3.headObject(b -> b.bucket(BUCKET).key("team-a/" + key)).contentLength())
        .isEqualTo(300_000);
    assertThat(http.get("/api/v1/runs/" + id + "/tasks/make/output").body())
        .isEqualTo("s".repeat(300_000));
    assertThat(state.resolve("outputs")).doesNotExist();
  }
}
