package io.capstan.api.runs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Run ids")
class RunIdsTest {
  @Test
  @DisplayName("read as kind, namespace and name with an 8-character suffix")
  void readAsKindNamespaceName() {
    String id = RunIds.random(RunKind.PIPELINE, "team-a", "nightly-etl");

    assertThat(id).matches("pipeline-team-a-nightly-etl-[a-z0-9]{8}");
    assertThat(RunIds.isWellFormed(id)).isTrue();
    assertThat(RunIds.kindOf(id)).contains(RunKind.PIPELINE);
  }

  @Test
  @DisplayName("are random without an idempotency key")
  void areRandomWithoutKey() {
    assertThat(RunIds.random(RunKind.JOB, "default", "backup"))
        .isNotEqualTo(RunIds.random(RunKind.JOB, "default", "backup"));
  }

  @Test
  @DisplayName("follow from the idempotency key and the definition's identity")
  void followFromKeyAndIdentity() {
    String id = RunIds.forIdempotencyKey(RunKind.JOB, "default", "backup", "k-1");

    assertThat(id).matches("job-default-backup-[a-z0-9]{8}");
    assertThat(RunIds.forIdempotencyKey(RunKind.JOB, "default", "backup", "k-1")).isEqualTo(id);
    assertThat(RunIds.forIdempotencyKey(RunKind.JOB, "default", "backup", "k-2")).isNotEqualTo(id);
    assertThat(RunIds.forIdempotencyKey(RunKind.JOB, "other", "backup", "k-1")).isNotEqualTo(id);
    assertThat(RunIds.forIdempotencyKey(RunKind.PIPELINE, "default", "backup", "k-1"))
        .isNotEqualTo(id.replaceFirst("^job", "pipeline"));
  }

  @Test
  @DisplayName("stay well-formed for names outside the DNS-label alphabet")
  void stayWellFormedForOddNames() {
    assertThat(RunIds.random(RunKind.PIPELINE, "Team_A", "ETL.v2"))
        .startsWith("pipeline-team-a-etl-v2-");
  }

  @Test
  @DisplayName("include the runs a schedule starts, named after it with the time they were due")
  void includeScheduledRuns() {
    String id = "schedule-team-a-backup-2025-01-01T00:05:00Z";

    assertThat(RunIds.isWellFormed(id)).isTrue();
    assertThat(RunIds.kindOf(id)).contains(RunKind.JOB);
    assertThat(RunIds.isWellFormed("schedule-team-a-backup-2025-01-01T00:05:00Z/../x")).isFalse();
    assertThat(RunIds.isWellFormed("schedule-team-a-backup")).isFalse();
  }

  @Test
  @DisplayName("link to the Web UI with the id encoded as one path segment")
  void linkToWebUiEncoded() {
    var temporal =
        new io.capstan.api.TemporalInfo(
            "127.0.0.1:7233", "default", "http://127.0.0.1:8233/", "dev-server");

    RunLinks links = RunLinks.forRun("schedule-x-y-2025-01-01T00:05:00Z", temporal);

    assertThat(links.temporalUi())
        .isEqualTo(
            "http://127.0.0.1:8233/namespaces/default/workflows/schedule-x-y-2025-01-01T00%3A05%3A00Z");
    assertThat(links.self()).isEqualTo("/api/v1/runs/schedule-x-y-2025-01-01T00:05:00Z");
    assertThat(
            RunLinks.forRun(
                    "job-default-x-abcd1234",
                    new io.capstan.api.TemporalInfo("a", "default", null, "external"))
                .temporalUi())
        .isNull();
  }

  @Test
  @DisplayName("anything else is not a run id")
  void anythingElseIsNotARunId() {
    assertThat(RunIds.isWellFormed(null)).isFalse();
    assertThat(RunIds.isWellFormed("")).isFalse();
    assertThat(RunIds.isWellFormed("pipeline-x-abc")).isFalse();
    assertThat(RunIds.isWellFormed("Pipeline-default-x-abcd1234")).isFalse();
    assertThat(RunIds.isWellFormed("pipeline-default-x-abcd1234/../x")).isFalse();
    assertThat(RunIds.isWellFormed("pipeline-" + "a".repeat(300) + "-abcd1234")).isFalse();
    assertThat(RunIds.kindOf("rollingupdate-default-x-abcd1234")).contains(RunKind.ROLLING_UPDATE);
    assertThat(RunIds.kindOf("resourcequota-default-x-abcd1234")).isEmpty();
  }

  @Test
  @DisplayName("a cluster's id is derived from its namespace and name alone")
  void clusterIdsAreDerived() {
    String id = RunIds.forEntity(RunKind.CLUSTER, "team-a", "prod");
    assertThat(id).matches("cluster-team-a-prod-[a-z0-9]{8}");
    assertThat(RunIds.forEntity(RunKind.CLUSTER, "team-a", "prod")).isEqualTo(id);
    assertThat(RunIds.forEntity(RunKind.CLUSTER, "team", "a-prod")).isNotEqualTo(id);
    assertThat(RunIds.kindOf(id)).contains(RunKind.CLUSTER);
  }
}
