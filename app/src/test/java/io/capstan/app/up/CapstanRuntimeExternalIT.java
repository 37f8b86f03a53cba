package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.RemoveSearchAttributesRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code capstan up --temporal HOST:PORT}: a server this process neither starts nor stops. */
class CapstanRuntimeExternalIT {
  @TempDir Path state;

  @Test
  @DisplayName(
      "on an external server the runtime registers the search attributes it lacks, reports mode"
          + " external with the given UI, and leaves the server running when it stops")
  void externalServerGetsMissingSearchAttributes() {
    try (DevServer server =
        DevServer.start(DevServer.Options.of(TemporalBinary.require(), 0, 0, state))) {
      WorkflowServiceStubs stubs =
          WorkflowServiceStubs.newConnectedServiceStubs(
              WorkflowServiceStubsOptions.newBuilder().setTarget(server.address()).build(),
              Duration.ofSeconds(10));
      try {
        // An external cluster set up by hand may lack some of Capstan's attributes.
        removeSearchAttribute(stubs, "CapstanLabels");
        assertThat(DevServerIT.listSearchAttributes(stubs)).doesNotContainKey("CapstanLabels");

        try (CapstanRuntime runtime =
            new CapstanRuntime(CapstanRuntime.Config.external(0, server.address(), server.uiUrl()))
                .start()) {
          JsonNode temporal =
              Http.json(new Http(runtime.apiUrl()).get("/api/v1/info")).path("temporal");
          assertThat(temporal.path("mode").asText()).isEqualTo("external");
          assertThat(temporal.path("ui").asText()).isEqualTo(server.uiUrl());
          assertThat(runtime.devServer()).isEmpty();
        }

        assertThat(DevServerIT.listSearchAttributes(stubs))
            .containsEntry("CapstanLabels", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST);
        assertThat(server.isAlive()).isTrue();
      } finally {
        stubs.shutdownNow();
      }
    }
  }

  private static void removeSearchAttribute(WorkflowServiceStubs stubs, String name) {
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setChannel(stubs.getRawChannel())
                .validateAndBuildWithDefaults());
    try {
      operator
          .blockingStub()
          .removeSearchAttributes(
              RemoveSearchAttributesRequest.newBuilder()
                  .setNamespace("default")
                  .addSearchAttributes(name)
                  .build());
    } finally {
      operator.shutdown();
    }
  }
}
