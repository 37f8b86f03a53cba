package io.capstan.api;

import io.capstan.api.http.ApiException;
import io.capstan.api.http.ErrorBody;
import io.capstan.api.http.ErrorDetail;
import io.capstan.api.http.PayloadTooLargeException;
import io.capstan.api.http.RequestBodies;
import io.capstan.api.temporal.GrpcStatus;
import io.capstan.codec.CodecRequestException;
import io.capstan.definitions.DefinitionException;
import io.capstan.workflows.RunSearchAttributes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.common.SearchAttributeKey;
import io.temporal.failure.TemporalException;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure of a request into {@code {error, details[]}} with the status SPEC.md gives
 * it. The API's own refusals ({@link ApiException}) carry their status and details, and one mapper
 * answers them all; the rest map exceptions the API does not own: a definition's problems, a codec
 * request, Javalin's refusals and Temporal's failures. Those are mapped by gRPC status, so a
 * client's mistake (an unknown run, an argument Temporal refuses) is never a 500, and an
 * unreachable Temporal is a 503.
 */
final class ErrorMappers {
  private static final Logger log = LoggerFactory.getLogger(ErrorMappers.class);

  /**
   * How servers say a search attribute is not registered: "search attribute CapstanKind is not
   * defined" (test server), "no mapping defined for search attribute CapstanKind" (start) and
   * "column name 'CapstanKind' is not a valid search attribute" (list query).
   */
  private static final Pattern UNREGISTERED_ATTRIBUTE =
      Pattern.compile(
          "search attribute '?Capstan\\w+|'?Capstan\\w+'? is not a valid search attribute");

  private ErrorMappers() {}

  static void register(Javalin app, TemporalInfo temporal) {
    app.exception(
        ApiException.class,
        (e, ctx) -> {
          e.headers().forEach(ctx::header);
          answer(ctx, e.status(), e.getMessage(), e.details(address(temporal)));
        });
    app.exception(
        CodecRequestException.class,
        (e, ctx) ->
            answer(
                ctx,
                HttpStatus.BAD_REQUEST,
                e.getMessage(),
                List.of(
                    ErrorDetail.at(
                        "payloads",
                        "send {\"payloads\": [{\"metadata\": {KEY: BASE64}, \"data\":"
                            + " BASE64}]}, as the Temporal Web UI does"))));
    app.exception(
        DefinitionException.class,
        (e, ctx) ->
            answer(
                ctx,
                HttpStatus.UNPROCESSABLE_CONTENT,
                e.error(),
                e.problems().stream().map(ErrorDetail::of).toList()));
    app.exception(StatusRuntimeException.class, (e, ctx) -> temporalFailure(ctx, e, temporal));
    app.exception(
        WorkflowNotFoundException.class,
        (e, ctx) ->
            answer(
                ctx,
                HttpStatus.NOT_FOUND,
                "no run with id '" + e.getExecution().getWorkflowId() + "'",
                List.of()));
    app.exception(
        TemporalException.class,
        (e, ctx) ->
            GrpcStatus.find(e)
                .ifPresentOrElse(
                    status -> temporalFailure(ctx, status, temporal), () -> unexpected(ctx, e)));
    app.exception(HttpResponseException.class, ErrorMappers::httpFailure);
    app.exception(Exception.class, (e, ctx) -> unexpected(ctx, e));
  }

  /** Javalin's own refusals: no such route, a method the route lacks, a body above the limit. */
  private static void httpFailure(HttpResponseException e, Context ctx) {
    HttpStatus status = HttpStatus.forStatus(e.getStatus());
    String error =
        switch (status) {
          case NOT_FOUND -> "no route " + ctx.method() + " " + ctx.path();
          case METHOD_NOT_ALLOWED -> "method " + ctx.method() + " is not allowed on " + ctx.path();
          case CONTENT_TOO_LARGE -> new PayloadTooLargeException(RequestBodies.LIMIT).getMessage();
          default -> e.getMessage();
        };
    answer(ctx, status, error, List.of());
  }

  private static void temporalFailure(
      Context ctx, StatusRuntimeException e, TemporalInfo temporal) {
    Status.Code code = e.getStatus().getCode();
    String description = e.getStatus().getDescription();
    String said = description == null || description.isBlank() ? code.name() : description;
    if (code == Status.Code.INVALID_ARGUMENT && UNREGISTERED_ATTRIBUTE.matcher(said).find()) {
      answer(
          ctx,
          HttpStatus.SERVICE_UNAVAILABLE,
          "Temporal at "
              + address(temporal)
              + " does not know Capstan's search attributes: "
              + said,
          List.of(
              ErrorDetail.at(
                  "temporal",
                  "./capstan up registers them; for another server run: " + registerCommand())));
      return;
    }
    switch (code) {
      case NOT_FOUND -> answer(ctx, HttpStatus.NOT_FOUND, "not found: " + said, List.of());
      case INVALID_ARGUMENT ->
          answer(
              ctx,
              HttpStatus.UNPROCESSABLE_CONTENT,
              "Temporal refused the request: " + said,
              List.of());
      case ALREADY_EXISTS, FAILED_PRECONDITION ->
          answer(ctx, HttpStatus.CONFLICT, "Temporal refused the request: " + said, List.of());
      case UNIMPLEMENTED ->
          answer(
              ctx,
              HttpStatus.UNPROCESSABLE_CONTENT,
              "Temporal at " + address(temporal) + " cannot do this: " + said,
              List.of());
      case RESOURCE_EXHAUSTED ->
          answer(ctx, HttpStatus.TOO_MANY_REQUESTS, "Temporal is busy: " + said, List.of());
      case UNAVAILABLE, DEADLINE_EXCEEDED ->
          answer(
              ctx,
              HttpStatus.SERVICE_UNAVAILABLE,
              "Temporal at " + address(temporal) + " is unavailable: " + said,
              List.of());
      default -> {
        log.warn("Temporal answered {}", code, e);
        answer(ctx, HttpStatus.BAD_GATEWAY, "Temporal failed the request: " + said, List.of());
      }
    }
  }

  /** The stock CLI's command that registers every search attribute Capstan sets. */
  static String registerCommand() {
    StringBuilder command = new StringBuilder("temporal operator search-attribute create");
    for (SearchAttributeKey<?> key : RunSearchAttributes.ALL) {
      command
          .append(" --name ")
          .append(key.getName())
          .append(" --type ")
          .append(
              key.getValueType() == IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST
                  ? "KeywordList"
                  : "Keyword");
    }
    return command.toString();
  }

  private static void unexpected(Context ctx, Exception e) {
    log.error("unexpected failure serving {} {}", ctx.method(), ctx.path(), e);
    answer(
        ctx,
        HttpStatus.INTERNAL_SERVER_ERROR,
        "internal error: " + e.getClass().getSimpleName(),
        List.of());
  }

  /** The Temporal frontend as an answer names it. */
  private static String address(TemporalInfo temporal) {
    return temporal == null ? "its address" : temporal.address();
  }

  private static void answer(
      Context ctx, HttpStatus status, String error, List<ErrorDetail> details) {
    ctx.status(status).json(new ErrorBody(error, details));
  }
}
