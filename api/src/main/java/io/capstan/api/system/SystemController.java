package io.capstan.api.system;

import io.capstan.api.ApiVersion;
import io.capstan.api.AwsInfo;
import io.capstan.api.KubernetesInfo;
import io.capstan.api.TemporalInfo;
import io.capstan.api.executors.ServedExecutors;
import io.capstan.api.http.ErrorBody;
import io.capstan.api.http.ErrorDetail;
import io.grpc.StatusRuntimeException;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the API says about itself: its version and Temporal, liveness, metrics, and its OpenAPI
 * document.
 */
public final class SystemController {
  /** The Prometheus text exposition format that {@link PrometheusMeterRegistry#scrape()} writes. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  /** The classpath resource {@code GET /api/v1/openapi.json} serves. */
  public static final String OPENAPI_RESOURCE = "/io/capstan/api/openapi.json";

  private final TemporalInfo temporal;
  private final PrometheusMeterRegistry metrics;
  private final ServedExecutors workers;
  private final Optional<byte[]> openApi;
  private final Supplier<KubernetesInfo> kubernetes;
  private final Supplier<AwsInfo> aws;

  public SystemController(
      TemporalInfo temporal,
      PrometheusMeterRegistry metrics,
      ServedExecutors workers,
      Supplier<KubernetesInfo> kubernetes,
      Supplier<AwsInfo> aws) {
    this.kubernetes = kubernetes;
    this.aws = aws;
    this.temporal = temporal;
    this.metrics = metrics;
    this.workers = workers;
    this.openApi = openApiDocument();
  }

  /** {@code GET /api/v1/info}. */
  public void info(Context ctx) {
    Map<String, Object> temporalPart = new LinkedHashMap<>();
    temporalPart.put("address", temporal.address());
    temporalPart.put("namespace", temporal.namespace());
    temporalPart.put("ui", temporal.ui());
    temporalPart.put("mode", temporal.mode());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("version", ApiVersion.get());
    body.put("temporal", temporalPart);
    KubernetesInfo kube = kubernetes.get();
    Map<String, Object> kubePart = new LinkedHashMap<>();
    kubePart.put("mode", kube.mode());
    kubePart.put("state", kube.state());
    kubePart.put("detail", kube.detail());
    kubePart.put("apiServer", kube.apiServer());
    kubePart.put("kubeconfig", kube.kubeconfig());
    kubePart.put("since", kube.since() == null ? null : kube.since().toString());
    body.put("kubernetes", kubePart);
    AwsInfo cloud = aws.get();
    Map<String, Object> awsPart = new LinkedHashMap<>();
    awsPart.put("mode", cloud.mode());
    awsPart.put("state", cloud.state());
    awsPart.put("detail", cloud.detail());
    awsPart.put("endpoint", cloud.endpoint());
    awsPart.put("region", cloud.region());
    awsPart.put("since", cloud.since() == null ? null : cloud.since().toString());
    body.put("aws", awsPart);
    executors().ifPresent(executors -> body.put("executors", executors));
    ctx.json(body);
  }

  /**
   * The executors some live worker runs now, as definitions name them; empty when Temporal cannot
   * be asked, so that info still answers while Temporal is down.
   */
  private Optional<List<String>> executors() {
    try {
      return Optional.of(
          workers.served().stream()
              .sorted()
              .map(kind -> kind.name().toLowerCase(Locale.ROOT))
              .toList());
    } catch (StatusRuntimeException unreachable) {
      return Optional.empty();
    }
  }

  /** {@code GET /healthz}: the process serves requests; it does not probe Temporal. */
  public void health(Context ctx) {
    ctx.json(Map.of("status", "ok"));
  }

  /** {@code GET /metrics}: every meter of the registry, the Temporal SDK's included. */
  public void metrics(Context ctx) {
    ctx.contentType(PROMETHEUS_TEXT).result(metrics.scrape());
  }

  /**
   * {@code GET /api/v1/openapi.json}: the OpenAPI 3 document of every route, open to all so that
   * clients and tools can find out how to authenticate.
   */
  public void openApi(Context ctx) {
    if (openApi.isEmpty()) {
      ctx.status(HttpStatus.NOT_FOUND)
          .json(
              new ErrorBody(
                  "this build of Capstan has no OpenAPI document",
                  List.of(
                      ErrorDetail.at(
                          "openapi.json",
                          "rebuild with api/src/main/resources" + OPENAPI_RESOURCE + " present"))));
      return;
    }
    ctx.contentType("application/json").result(openApi.get());
  }

  /** The document, read once: it is part of the build and never changes while running. */
  static Optional<byte[]> openApiDocument() {
    try (InputStream in = SystemController.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + OPENAPI_RESOURCE, e);
    }
  }
}
