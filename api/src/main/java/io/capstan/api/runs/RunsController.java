package io.capstan.api.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.api.http.BadRequestException;
import io.capstan.api.http.ErrorDetail;
import io.capstan.api.http.RequestBodies;
import io.capstan.api.intake.DefinitionIntake;
import io.capstan.api.intake.Submission;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The {@code /api/v1/runs} routes: thin handlers over the run services. */
public final class RunsController {
  /** The header whose value makes a resend of a submit return the run the first one started. */
  public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private static final int MAX_IDEMPOTENCY_KEY = 255;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DefinitionIntake intake;
  private final RunStarter starter;
  private final RunInspector inspector;
  private final RunLister lister;
  private final RunControl control;

  public RunsController(
      DefinitionIntake intake,
      RunStarter starter,
      RunInspector inspector,
      RunLister lister,
      RunControl control) {
    this.intake = intake;
    this.starter = starter;
    this.inspector = inspector;
    this.lister = lister;
    this.control = control;
  }

  /**
   * {@code POST /api/v1/runs}: 201 with the run (or {@code {runs: [...]}} for several documents);
   * 200 when every run already existed under the request's idempotency key.
   */
  public void submit(Context ctx) {
    String key = idempotencyKey(ctx);
    Submission submission =
        intake.read(RequestBodies.readText(ctx), ctx.contentType(), ctx.queryParamMap());
    List<RunStarter.Started> started =
        starter.start(submission.definitions(), submission.params(), key);
    boolean created = started.stream().anyMatch(RunStarter.Started::created);
    ctx.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    if (started.size() == 1) {
      SubmittedRun run = started.get(0).run();
      ctx.header("Location", run.links().self());
      ctx.json(run);
    } else {
      ctx.json(Map.of("runs", started.stream().map(RunStarter.Started::run).toList()));
    }
  }

  /** {@code GET /api/v1/runs/{id}}. */
  public void get(Context ctx) {
    ctx.json(inspector.get(ctx.pathParam("id")));
  }

  /** {@code GET /api/v1/runs?kind=&status=&namespace=&pageSize=&pageToken=}. */
  public void list(Context ctx) {
    RunFilter filter =
        new RunFilter(
            optionalQuery(ctx, "kind").map(RunsController::kindFilter),
            optionalQuery(ctx, "status").map(RunsController::statusFilter),
            optionalQuery(ctx, "namespace"));
    ctx.json(lister.list(filter, pageSize(ctx), optionalQuery(ctx, "pageToken").orElse(null)));
  }

  /** {@code POST /api/v1/runs/{id}/signals/{name}}: 202 once Temporal accepted the signal. */
  public void signal(Context ctx) {
    String name = ctx.pathParam("name");
    requireJsonOrEmpty(RequestBodies.readText(ctx));
    RunRef run = control.signal(ctx.pathParam("id"), name);
    ctx.status(HttpStatus.ACCEPTED).json(Map.of("id", run.id(), "signal", name, "accepted", true));
  }

  /** {@code POST /api/v1/runs/{id}/cancel}: 202 once Temporal recorded the request. */
  public void cancel(Context ctx) {
    RunRef run = control.cancel(ctx.pathParam("id"));
    ctx.status(HttpStatus.ACCEPTED).json(Map.of("id", run.id(), "cancelRequested", true));
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

  private static BadRequestException invalidFilter(String name, String value, List<String> valid) {
    return new BadRequestException(
        "invalid " + name + " filter",
        List.of(ErrorDetail.at(name, "'" + value + "' is not one of " + String.join(", ", valid))));
  }

  /** Signals take no data yet; a body is still checked so a malformed one is not silently lost. */
  private static void requireJsonOrEmpty(String body) {
    if (body.isBlank()) {
      return;
    }
    try {
      JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new BadRequestException(
          "the signal body is not JSON",
          List.of(
              new ErrorDetail(
                  "",
                  e.getLocation() == null ? null : e.getLocation().getLineNr(),
                  e.getLocation() == null ? null : e.getLocation().getColumnNr(),
                  e.getOriginalMessage())));
    }
  }
}
