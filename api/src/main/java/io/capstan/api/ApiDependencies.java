package io.capstan.api;

import io.capstan.api.auth.ApiSecurity;
import io.capstan.api.codec.CodecEndpoint;
import io.capstan.api.executors.ServedExecutors;
import io.capstan.definitions.executor.ExecutorKind;
import io.capstan.outputs.OutputStore;
import io.capstan.outputs.OutputStores;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.client.WorkflowClient;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What the API needs from the process that hosts it.
 *
 * @param client the Temporal client runs are started, described, queried and signalled through; its
 *     data converter is the one workers use, payload codec included
 * @param temporal where that client points, as {@code GET /api/v1/info} reports it
 * @param metrics the registry {@code GET /metrics} scrapes; the host registers the Temporal SDK's
 *     metrics in it too
 * @param servedExecutors which executor kinds some live worker serves; a definition using any other
 *     is refused at submit
 * @param security who may call the API, how fast they may submit, whether {@code /metrics} is
 *     protected
 * @param codec what {@code /codec/encode} and {@code /codec/decode} serve
 * @param outputs where stored outputs and task logs are read from
 * @param kubernetes the cluster of {@code container} tasks, as it is now
 * @param aws the simulated cloud of simulated clusters, as it is now
 */
public record ApiDependencies(
    WorkflowClient client,
    TemporalInfo temporal,
    PrometheusMeterRegistry metrics,
    ServedExecutors servedExecutors,
    ApiSecurity security,
    CodecEndpoint codec,
    OutputStore outputs,
    Supplier<KubernetesInfo> kubernetes,
    Supplier<AwsInfo> aws) {
  public ApiDependencies {
    outputs =
        outputs == null
            ? OutputStores.of(
                System.getenv(OutputStores.STORE_ENV),
                Path.of(".capstan", "state"),
                System.getenv())
            : outputs;
    servedExecutors = servedExecutors == null ? ServedExecutors.fixed(Set.of()) : servedExecutors;
    security = security == null ? ApiSecurity.disabled() : security;
    codec = codec == null ? CodecEndpoint.none() : codec;
    if (kubernetes == null) {
      KubernetesInfo none = KubernetesInfo.disabled("this process starts no container executor");
      kubernetes = () -> none;
    }
    if (aws == null) {
      AwsInfo none = AwsInfo.disabled("this process starts no simulated cloud");
      aws = () -> none;
    }
  }

  public ApiDependencies(
      WorkflowClient client,
      TemporalInfo temporal,
      PrometheusMeterRegistry metrics,
      ServedExecutors servedExecutors,
      ApiSecurity security,
      CodecEndpoint codec,
      OutputStore outputs) {
    this(client, temporal, metrics, servedExecutors, security, codec, outputs, null, null);
  }

  /**
   * Without authentication, submit limit or codec, and with a fixed set of served executors: what
   * in-process tests of routes use.
   */
  public ApiDependencies(
      WorkflowClient client,
      TemporalInfo temporal,
      PrometheusMeterRegistry metrics,
      Set<ExecutorKind> servedExecutors) {
    this(
        client,
        temporal,
        metrics,
        ServedExecutors.fixed(servedExecutors),
        ApiSecurity.disabled(),
        CodecEndpoint.none(),
        null);
  }

  public ApiDependencies(
      WorkflowClient client,
      TemporalInfo temporal,
      PrometheusMeterRegistry metrics,
      ServedExecutors servedExecutors,
      ApiSecurity security,
      CodecEndpoint codec) {
    this(client, temporal, metrics, servedExecutors, security, codec, null, null, null);
  }

  public ApiDependencies withSecurity(ApiSecurity newSecurity) {
    return new ApiDependencies(
        client, temporal, metrics, servedExecutors, newSecurity, codec, outputs, kubernetes, aws);
  }

  public ApiDependencies withCodec(CodecEndpoint newCodec) {
    return new ApiDependencies(
        client, temporal, metrics, servedExecutors, security, newCodec, outputs, kubernetes, aws);
  }

  public ApiDependencies withKubernetes(Supplier<KubernetesInfo> newKubernetes) {
    return new ApiDependencies(
        client, temporal, metrics, servedExecutors, security, codec, outputs, newKubernetes, aws);
  }

  public ApiDependencies withAws(Supplier<AwsInfo> newAws) {
    return new ApiDependencies(
        client, temporal, metrics, servedExecutors, security, codec, outputs, kubernetes, newAws);
  }
}
