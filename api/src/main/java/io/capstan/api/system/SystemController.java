package io.capstan.api.system;

import io.capstan.api.ApiVersion;
import io.capstan.api.TemporalInfo;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the API says about itself: its version and Temporal, liveness, and metrics. */
public final class SystemController {
  /** The Prometheus text exposition format that {@link PrometheusMeterRegistry#scrape()} writes. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final TemporalInfo temporal;
  private final PrometheusMeterRegistry metrics;

  public SystemController(TemporalInfo temporal, PrometheusMeterRegistry metrics) {
    this.temporal = temporal;
    this.metrics = metrics;
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
    ctx.json(body);
  }

  /** {@code GET /healthz}: the process serves requests; it does not probe Temporal. */
  public void health(Context ctx) {
    ctx.json(Map.of("status", "ok"));
  }

  /** {@code GET /metrics}: every meter of the registry, the Temporal SDK's included. */
  public void metrics(Context ctx) {
    ctx.contentType(PROMETHEUS_TEXT).result(metrics.scrape());
  }
}
