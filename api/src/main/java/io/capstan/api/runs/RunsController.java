package io.capstan.api.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.api.auth.Authenticator;
import io.capstan.api.auth.ForbiddenException;
import io.capstan.api.auth.Principal;
import io.capstan.api.http.BadRequestException;
import io.capstan.api.http.ErrorDetail;
import io.capstan.api.http.RequestBodies;
import io.capstan.api.http.UnprocessableException;
import io.capstan.api.intake.DefinitionIntake;
import io.capstan.api.intake.NamespaceCheck;
import io.capstan.api.intake.Submission;
import io.capstan.workflows.pipeline.RetryTaskResult;
import io.capstan.workflows.run.RunState;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** The {@code /api/v1/runs} routes: thin handlers over the run services. */
public final class RunsController {
  /** The header whose value makes a resend of a submit return the run the first one started. */
  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private static final int MAX_IDEMPOTENCY_KEY = 255;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PARAM_NAME = Pattern.compile("[A-Za-z0-9_-]+");

  private final DefinitionIntake intake;
  private final RunStarter starter;
  private final RunInspector inspector;
  private final RunLister lister;
  private final RunControl control;
  private final RunUpdates updates;

  public RunsController(
      DefinitionIntake intake,
      RunStarter starter,
      RunInspector inspector,
      RunLister lister,
      RunControl control,
      RunUpdates updates) {
    this.intake = intake;
    this.starter = starter;
    this.inspector = inspector;
    this.lister = lister;
    this.control = control;
    this.updates = updates;
  }

  /**
   * {@code POST /api/v1/runs}: 201 with the run (or {@code {runs: [...]}} for several documents);
   * 200 when every run already existed under the request's idempotency key.
   */
  public void submit(Context ctx) {
    String key = idempotencyKey(ctx);
    Submission submission =
        intake.read(RequestBodies.readText(ctx), ctx.contentType(), ctx.queryParamMap());
    NamespaceCheck.requireAllowed(submission, Authenticator.principal(ctx));
    List<RunStarter.Started> started = starter.start(submission, key);
    boolean created = started.stream().anyMatch(RunStarter.Started::created);
    ctx.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    if (started.size() == 1) {
      ctx.header("Location", started.get(0).location());
      ctx.json(started.get(0).resource());
    } else {
      ctx.json(Map.of("runs", started.stream().map(RunStarter.Started::resource).toList()));
    }
  }

  /** {@code GET /api/v1/runs/{id}}. */
  public void get(Context ctx) {
    int offset = intParam(ctx, "taskOffset", 0, 0, Integer.MAX_VALUE);
    int limit = intParam(ctx, "taskLimit", RunState.MAX_PAGE, 1, RunState.MAX_PAGE);
    ctx.json(inspector.get(ctx.pathParam("id"), Authenticator.principal(ctx), offset, limit));
  }

  /** A whole-number query parameter within [min, max], or a 400 that names it and the range. */
  private static int intParam(Context ctx, String name, int fallback, int min, int max) {
    String text = ctx.queryParam(name);
    if (text == null || text.isBlank()) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(text.strip());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException notANumber) {
      // Answered below, as an out-of-range value is.
    }
    throw new BadRequestException(
        "query parameter '" + name + "' is '" + text + "'",
        List.of(
            ErrorDetail.at(
                name,
                "a whole number from " + min + (max == Integer.MAX_VALUE ? " up" : " to " + max))));
  }

  /** {@code GET /api/v1/runs?kind=&status=&namespace=&schedule=&pageSize=&pageToken=}. */
  public void list(Context ctx) {
    Principal principal = Authenticator.principal(ctx);
    Optional<String> namespace =
        optionalQuery(ctx, "namespace").map(ns -> RunQuery.safeValue("namespace", ns));
    if (namespace.isPresent() && !principal.mayUse(namespace.get())) {
      throw ForbiddenException.namespace(
          principal,
          "namespace '" + namespace.get() + "' is not one of them",
          List.of(
              ErrorDetail.at(
                  "namespace",
                  "filter by one of your namespaces, or leave the filter out to list them all")));
    }
    RunFilter filter =
        new RunFilter(
            optionalQuery(ctx, "kind").map(RunsController::kindFilter),
            optionalQuery(ctx, "status").map(RunsController::statusFilter),
            namespace,
            optionalQuery(ctx, "schedule").map(id -> RunQuery.safeValue("schedule", id)));
    if (!principal.allNamespaces()) {
      filter = filter.within(principal.namespaces());
    }
    ctx.json(lister.list(filter, pageSize(ctx), optionalQuery(ctx, "pageToken").orElse(null)));
  }

  /** {@code POST /api/v1/runs/{id}/signals/{name}}: 202 once Temporal accepted the signal. */
  public void signal(Context ctx) {
    String name = ctx.pathParam("name");
    JsonNode argument = requireJsonOrEmpty(RequestBodies.readText(ctx));
    RunRef run = control.signal(ctx.pathParam("id"), name, argument, Authenticator.principal(ctx));
    ctx.status(HttpStatus.ACCEPTED).json(Map.of("id", run.id(), "signal", name, "accepted", true));
  }

  /** {@code POST /api/v1/runs/{id}/cancel}: 202 once Temporal recorded the request. */
  public void cancel(Context ctx) {
    RunRef run = control.cancel(ctx.pathParam("id"), Authenticator.principal(ctx));
    ctx.status(HttpStatus.ACCEPTED).json(Map.of("id", run.id(), "cancelRequested", true));
  }

  /**
   * {@code POST /api/v1/runs/{id}/tasks/{task}/retry}, body optional {@code {params: {NAME:
   * VALUE}}}: 202 {@code {id, task, reset}} once the run took the retry.
   */
  public void retryTask(Context ctx) {
    Map<String, String> params = retryParams(RequestBodies.readText(ctx));
    String id = ctx.pathParam("id");
    RetryTaskResult result =
        control.retryTask(id, ctx.pathParam("task"), params, Authenticator.principal(ctx));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", id);
    body.put("task", result.task());
    body.put("reset", result.reset());
    ctx.status(HttpStatus.ACCEPTED).json(body);
  }

  /**
   * {@code POST /api/v1/runs/{id}/updates/{name}}, a JSON object body: 200 {@code {id, update,
   * result}} when the operation finished within a short wait; 202 {@code {id, update, updateId,
   * accepted: true}} when it was accepted and runs on; 422 when the body or the run's validator
   * refuses it.
   */
  public void update(Context ctx) {
    String text = RequestBodies.readText(ctx);
    JsonNode body = text.isBlank() ? null : readJson(text, "the update body is not JSON");
    RunUpdates.Outcome outcome =
        updates.update(
            ctx.pathParam("id"), ctx.pathParam("name"), body, Authenticator.principal(ctx));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("id", outcome.id());
    answer.put("update", outcome.update());
    answer.put("updateId", outcome.updateId());
    if (outcome.done()) {
      answer.put("result", outcome.result());
      ctx.status(HttpStatus.OK).json(answer);
    } else {
      answer.put("accepted", true);
      answer.put(
          "message",
          "accepted and running: GET /api/v1/runs/" + outcome.id() + " shows its progress");
      ctx.status(HttpStatus.ACCEPTED).json(answer);
    }
  }

  private static String idempotencyKey(Context ctx) {
    String key = ctx.header(IDEMPOTENCY_KEY);
    if (key == null || key.isBlank()) {
      return null;
    }
    if (key.length() > MAX_IDEMPOTENCY_KEY) {
      throw new BadRequestException(
          "invalid idempotency key",
          List.of(
              ErrorDetail.at(IDEMPOTENCY_KEY, "at most " + MAX_IDEMPOTENCY_KEY + " characters")));
    }
    return key;
  }

  private static int pageSize(Context ctx) {
    Optional<String> value = optionalQuery(ctx, "pageSize");
    if (value.isEmpty()) {
      return RunLister.DEFAULT_PAGE_SIZE;
    }
    try {
      int size = Integer.parseInt(value.get().trim());
      if (size >= 1 && size <= RunLister.MAX_PAGE_SIZE) {
        return size;
      }
    } catch (NumberFormatException notANumber) {
      // Reported below with the valid range.
    }
    throw new BadRequestException(
        "invalid pageSize",
        List.of(
            ErrorDetail.at(
                "pageSize",
                "a whole number from 1 to "
                    + RunLister.MAX_PAGE_SIZE
                    + ", not '"
                    + value.get()
                    + "'")));
  }

  private static Optional<String> optionalQuery(Context ctx, String name) {
    return Optional.ofNullable(ctx.queryParam(name)).filter(v -> !v.isBlank());
  }

  private static RunKind kindFilter(String kind) {
    return RunKind.parse(kind).orElseThrow(() -> invalidFilter("kind", kind, RunKind.kindNames()));
  }

  private static RunStatus statusFilter(String status) {
    return RunStatus.parse(status)
        .orElseThrow(
            () ->
                invalidFilter(
                    "status", status, Arrays.stream(RunStatus.values()).map(Enum::name).toList()));
  }

  private static UnprocessableException invalidFilter(
      String name, String value, List<String> valid) {
    return new UnprocessableException(
        "invalid " + name + " filter",
        List.of(ErrorDetail.at(name, "'" + value + "' is not one of " + String.join(", ", valid))));
  }

  /** The params of a retry body: a JSON object whose {@code params} maps names to values. */
  static Map<String, String> retryParams(String body) {
    if (body.isBlank()) {
      return Map.of();
    }
    JsonNode root = readJson(body, "the retry body is not JSON");
    JsonNode params = root.path("params");
    if (!root.isObject() || !(params.isMissingNode() || params.isNull() || params.isObject())) {
      throw new BadRequestException(
          "the retry body is not {params: {NAME: VALUE}}",
          List.of(ErrorDetail.at("params", "an object of parameter names to values")));
    }
    Map<String, String> values = new LinkedHashMap<>();
    List<ErrorDetail> problems = new ArrayList<>();
    params
        .fields()
        .forEachRemaining(
            param -> {
              String name = param.getKey();
              JsonNode value = param.getValue();
              if (!PARAM_NAME.matcher(name).matches()) {
                problems.add(
                    ErrorDetail.at(
                        "params." + name,
                        "a parameter name has only letters, digits, '_' and '-'"));
              } else if (!value.isValueNode() || value.isNull()) {
                problems.add(
                    ErrorDetail.at("params." + name, "a value is a string, number or boolean"));
              } else {
                values.put(name, value.asText());
              }
            });
    if (!problems.isEmpty()) {
      throw new UnprocessableException("invalid retry params", problems);
    }
    return values;
  }

  /** A signal's data: JSON, or nothing (null) for a signal that takes none. */
  private static JsonNode requireJsonOrEmpty(String body) {
    if (body.isBlank()) {
      return null;
    }
    JsonNode data = readJson(body, "the signal body is not JSON");
    return data.isNull() ? null : data;
  }

  private static JsonNode readJson(String body, String error) {
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new BadRequestException(
          error,
          List.of(
              new ErrorDetail(
                  "",
                  e.getLocation() == null ? null : e.getLocation().getLineNr(),
                  e.getLocation() == null ? null : e.getLocation().getColumnNr(),
                  e.getOriginalMessage())));
    }
  }
}
