package io.capstan.api.http;

import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Times every request as {@code http.server.requests}, tagged with the method, the route template
 * (never the raw path, so run ids do not explode the series count) and the status code.
 */
public final class HttpMetrics {
  static final String UNMATCHED = "unmatched";

  private final MeterRegistry registry;

  public HttpMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** A Javalin request logger: called once per request, after its response is decided. */
  public void record(Context ctx, Float executionTimeMs) {
    Timer.builder("http.server.requests")
        .description("HTTP requests served by the Capstan API")
        .tag("method", ctx.method().name())
        .tag("route", route(ctx))
        .tag("status", Integer.toString(ctx.statusCode()))
        .register(registry)
        .record((long) (executionTimeMs * 1_000_000L), TimeUnit.NANOSECONDS);
  }

  private static String route(Context ctx) {
    try {
      String path = ctx.endpointHandlerPath();
      return path == null || path.isBlank() ? UNMATCHED : path;
    } catch (RuntimeException noEndpoint) {
      return UNMATCHED;
    }
  }
}
