package io.capstan.app.up;

import com.uber.m3.tally.Scope;
import io.capstan.codec.CapstanDataConverter;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;

/**
 * How every Capstan process reaches Temporal: {@code up} and {@code worker} connect the same way
 * and read payloads with the same data converter, so what one process encrypts another can read.
 */
public final class TemporalConnection {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private TemporalConnection() {}

  /**
   * Connects to the frontend at {@code address}, reporting the SDK's metrics into {@code metrics}
   * (null for none).
   *
   * @param advice what to add to a failure's message, e.g. {@code " (is `capstan up` running?)"};
   *     empty for nothing
   * @throws CapstanRuntime.StartupException when the frontend does not answer within 10 s
   */
  public static WorkflowServiceStubs connect(String address, Scope metrics, String advice) {
    WorkflowServiceStubsOptions.Builder options =
        WorkflowServiceStubsOptions.newBuilder().setTarget(address);
    if (metrics != null) {
      options.setMetricsScope(metrics);
    }
    try {
      return WorkflowServiceStubs.newConnectedServiceStubs(options.build(), CONNECT_TIMEOUT);
    } catch (RuntimeException e) {
      throw new CapstanRuntime.StartupException(
          "cannot reach Temporal at "
              + address
              + " within "
              + CONNECT_TIMEOUT.toSeconds()
              + " s"
              + advice
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** A client of {@code namespace} whose payloads go through the security's codec, if any. */
  public static WorkflowClient client(
      WorkflowServiceStubs stubs, String namespace, RuntimeSecurity security) {
    return WorkflowClient.newInstance(
        stubs,
        WorkflowClientOptions.newBuilder()
            .setNamespace(namespace)
            .setDataConverter(CapstanDataConverter.create(security.codec()))
            .build());
  }
}
