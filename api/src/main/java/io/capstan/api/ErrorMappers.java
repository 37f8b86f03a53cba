package io.capstan.api;

import io.capstan.api.auth.ForbiddenException;
import io.capstan.api.auth.RateLimitedException;
import io.capstan.api.auth.UnauthenticatedException;
import io.capstan.api.http.BadRequestException;
import io.capstan.api.http.ErrorBody;
import io.capstan.api.http.ErrorDetail;
import io.capstan.api.http.PayloadTooLargeException;
import io.capstan.api.http.RequestBodies;
import io.capstan.api.http.UnprocessableException;
import io.capstan.api.intake.UnservedExecutorException;
import io.capstan.api.runs.RetryRefusedException;
import io.capstan.api.runs.RunClosedException;
import io.capstan.api.runs.RunNotFoundException;
import io.capstan.api.runs.RunUnresponsiveException;
import io.capstan.api.runs.TaskNotFoundException;
import io.capstan.api.runs.UnknownSignalException;
import io.capstan.api.schedules.ScheduleExistsException;
import io.capstan.api.schedules.ScheduleNotFoundException;
import io.capstan.api.schedules.SchedulesUnavailableException;
import io.capstan.codec.CodecRequestException;
import io.capstan.definitions.DefinitionException;
import io.capstan.definitions.Problem;
import io.capstan.workflows.RunSearchAttributes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Header;
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
 * One exception mapper per domain error, each answering {@code {error, details[]}} with the status
 * SPEC.md gives it. Temporal's own failures are mapped by gRPC status, so a client's mistake (an
 * unknown run, an argument Temporal refuses) is never a 500, and an unreachable Temporal is a 503.
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
        UnauthenticatedException.class,
        (e, ctx) -> {
          ctx.header(Header.WWW_AUTHENTICATE, e.challenge());
          answer(
              ctx,
              HttpStatus.UNAUTHORIZED,
              e.getMessage(),
              List.of(ErrorDetail.at("Authorization", e.fix())));
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
        ForbiddenException.class,
        (e, ctx) -> answer(ctx, HttpStatus.FORBIDDEN, e.getMessage(), e.details()));
    app.exception(
        RateLimitedException.class,
        (e, ctx) -> {
          ctx.header(Header.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
          answer(
              ctx,
              HttpStatus.TOO_MANY_REQUESTS,
              e.getMessage(),
              List.of(
                  ErrorDetail.at(
                      "Retry-After",
                      "wait "
                          + e.retryAfterSeconds()
                          + "s, then send again; submit several definitions as one"
                          + " multi-document body to start them with one request")));
        });
    app.exception(
        DefinitionException.class,
        (e, ctx) ->
            answer(ctx, HttpStatus.UNPROCESSABLE_CONTENT, e.error(), details(e.problems())));
    app.exception(
        UnservedExecutorException.class,
        (e, ctx) ->
            answer(ctx, HttpStatus.UNPROCESSABLE_CONTENT, e.getMessage(), details(e.problems())));
    app.exception(
        BadRequestException.class,
        (e, ctx) -> answer(ctx, HttpStatus.BAD_REQUEST, e.getMessage(), e.details()));
    app.exception(
        UnprocessableException.class,
        (e, ctx) -> answer(ctx, HttpStatus.UNPROCESSABLE_CONTENT, e.getMessage(), e.details()));
    app.exception(
        PayloadTooLargeException.class,
        (e, ctx) -> answer(ctx, HttpStatus.CONTENT_TOO_LARGE, e.getMessage(), List.of()));
    app.exception(
        RunNotFoundException.class,
        (e, ctx) ->
            answer(
                ctx,
                HttpStatus.NOT_FOUND,
                e.getMessage(),
                List.of(ErrorDetail.at("id", "list runs with GET /api/v1/runs"))));
    app.exception(
        RunClosedException.class,
        (e, ctx) -> answer(ctx, HttpStatus.CONFLICT, e.getMessage(), List.of()));
    app.exception(
        TaskNotFoundException.class,
        (e, ctx) ->
            answer(
                ctx,
                HttpStatus.NOT_FOUND,
                e.getMessage(),
                List.of(ErrorDetail.at("task", "its tasks: " + shortList(e.known())))));
    app.exception(
        RetryRefusedException.class,
        (e, ctx) -> answer(ctx, HttpStatus.CONFLICT, e.getMessage(), List.of()));
    app.exception(
        RunUnresponsiveException.class,
        (e, ctx) -> answer(ctx, HttpStatus.SERVICE_UNAVAILABLE, e.getMessage(), List.of()));
    app.exception(
        SchedulesUnavailableException.class,
        (e, ctx) ->
            answer(
                ctx,
                HttpStatus.UNPROCESSABLE_CONTENT,
                e.getMessage(),
                List.of(
                    ErrorDetail.at(
                        e.path(),
                        "Temporal at "
                            + (temporal == null ? "its address" : temporal.address())
                            + " has no Schedules"))));
    app.exception(
        ScheduleNotFoundException.class,
        (e, ctx) ->
            answer(
                ctx,
                HttpStatus.NOT_FOUND,
                e.getMessage(),
                List.of(ErrorDetail.at("id", "list schedules with GET /api/v1/schedules"))));
    app.exception(
        ScheduleExistsException.class,
        (e, ctx) -> answer(ctx, HttpStatus.CONFLICT, e.getMessage(), List.of()));
    app.exception(
        UnknownSignalException.class,
        (e, ctx) ->
            answer(
                ctx,
                HttpStatus.UNPROCESSABLE_CONTENT,
                e.getMessage(),
                List.of(
                    ErrorDetail.at(
                        "signal",
                        e.known().isEmpty()
                            ? "this kind of run takes no signals"
                            : "known signals: " + String.join(", ", e.known())))));
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
        (e, ctx) -> {
          StatusRuntimeException status = statusCause(e);
          if (status != null) {
            temporalFailure(ctx, status, temporal);
          } else {
            unexpected(ctx, e);
          }
        });
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
              + (temporal == null ? "its address" : temporal.address())
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
              "Temporal at "
                  + (temporal == null ? "its address" : temporal.address())
                  + " cannot do this: "
                  + said,
              List.of());
      case RESOURCE_EXHAUSTED ->
          answer(ctx, HttpStatus.TOO_MANY_REQUESTS, "Temporal is busy: " + said, List.of());
      case UNAVAILABLE, DEADLINE_EXCEEDED ->
          answer(
              ctx,
              HttpStatus.SERVICE_UNAVAILABLE,
              "Temporal at "
                  + (temporal == null ? "its address" : temporal.address())
                  + " is unavailable: "
                  + said,
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

  private static String shortList(List<String> names) {
    int shown = 20;
    return names.size() <= shown
        ? String.join(", ", names)
        : String.join(", ", names.subList(0, shown)) + " and " + (names.size() - shown) + " more";
  }

  private static void unexpected(Context ctx, Exception e) {
    log.error("unexpected failure serving {} {}", ctx.method(), ctx.path(), e);
    answer(
        ctx,
        HttpStatus.INTERNAL_SERVER_ERROR,
        "internal error: " + e.getClass().getSimpleName(),
        List.of());
  }

  private static StatusRuntimeException statusCause(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof StatusRuntimeException status) {
        return status;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return null;
  }

  private static List<ErrorDetail> details(List<Problem> problems) {
    return problems.stream()
        .map(
            p ->
                new ErrorDetail(
                    p.path(),
                    p.line() > 0 ? p.line() : null,
                    p.column() > 0 ? p.column() : null,
                    p.message()))
        .toList();
  }

  private static void answer(
      Context ctx, HttpStatus status, String error, List<ErrorDetail> details) {
    ctx.status(status).json(new ErrorBody(error, details));
  }
}
