package io.capstan.api.schedules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.api.auth.Authenticator;
import io.capstan.api.http.BadRequestException;
import io.capstan.api.http.ErrorDetail;
import io.capstan.api.http.RequestBodies;
import io.capstan.api.http.UnprocessableException;
import io.capstan.definitions.job.ScheduleOverlap;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The {@code /api/v1/schedules} routes: thin handlers over {@link JobSchedules}. */
public final class SchedulesController {
  /** The longest backfill accepted at once; each due time in it starts a run. */
  static final Duration MAX_BACKFILL = Duration.ofDays(366);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final JobSchedules schedules;

  public SchedulesController(JobSchedules schedules) {
    this.schedules = schedules;
  }

  /**
   * {@code GET /api/v1/schedules}: {@code {schedules: [...]}}, with a note where there are none.
   */
  public void list(Context ctx) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("schedules", schedules.list(Authenticator.principal(ctx)));
    if (!schedules.available()) {
      body.put("note", SchedulesUnavailableException.MESSAGE);
    }
    ctx.json(body);
  }

  /** {@code GET /api/v1/schedules/{id}}: the schedule with its next and recent runs. */
  public void get(Context ctx) {
    ctx.json(schedules.get(ctx.pathParam("id"), Authenticator.principal(ctx)));
  }

  /** {@code DELETE /api/v1/schedules/{id}}: 204; runs it started go on. */
  public void delete(Context ctx) {
    schedules.delete(ctx.pathParam("id"), Authenticator.principal(ctx));
    ctx.status(HttpStatus.NO_CONTENT);
  }

  /** {@code POST /api/v1/schedules/{id}/pause}, body optional {@code {note}}: 202. */
  public void pause(Context ctx) {
    String note = note(body(ctx));
    ctx.status(HttpStatus.ACCEPTED)
        .json(schedules.pause(ctx.pathParam("id"), note, Authenticator.principal(ctx)));
  }

  /** {@code POST /api/v1/schedules/{id}/unpause}, body optional {@code {note}}: 202. */
  public void unpause(Context ctx) {
    String note = note(body(ctx));
    ctx.status(HttpStatus.ACCEPTED)
        .json(schedules.unpause(ctx.pathParam("id"), note, Authenticator.principal(ctx)));
  }

  /** {@code POST /api/v1/schedules/{id}/trigger}: 202; the run starts under the overlap policy. */
  public void trigger(Context ctx) {
    body(ctx);
    String id = ctx.pathParam("id");
    schedules.trigger(id, Authenticator.principal(ctx));
    ctx.status(HttpStatus.ACCEPTED).json(Map.of("id", id, "triggered", true));
  }

  /**
   * {@code POST /api/v1/schedules/{id}/backfill} with {@code {start, end}} (ISO-8601 instants,
   * start before end, at most a year apart) and optionally {@code overlap} (default {@code
   * bufferAll}: every run that was due starts, one after another): 202.
   */
  public void backfill(Context ctx) {
    JsonNode body = body(ctx);
    String id = ctx.pathParam("id");
    List<ErrorDetail> problems = new ArrayList<>();
    Instant start = instant(body, "start", problems);
    Instant end = instant(body, "end", problems);
    Optional<ScheduleOverlap> overlap = overlap(body, problems);
    if (start != null && end != null) {
      if (!start.isBefore(end)) {
        problems.add(ErrorDetail.at("end", "must be after start (" + start + "), not " + end));
      } else if (Duration.between(start, end).compareTo(MAX_BACKFILL) > 0) {
        problems.add(
            ErrorDetail.at(
                "end",
                "a backfill spans at most "
                    + MAX_BACKFILL.toDays()
                    + " days; split a longer one into several"));
      }
    }
    if (!problems.isEmpty()) {
      throw new UnprocessableException("invalid backfill", problems);
    }
    schedules.backfill(id, start, end, overlap, Authenticator.principal(ctx));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("id", id);
    answer.put("start", start);
    answer.put("end", end);
    answer.put("overlap", overlap.orElse(ScheduleOverlap.BUFFER_ALL));
    answer.put("accepted", true);
    ctx.status(HttpStatus.ACCEPTED).json(answer);
  }

  /** The JSON object of the body, or an empty one when there is no body. */
  private static JsonNode body(Context ctx) {
    String text = RequestBodies.readText(ctx);
    if (text.isBlank()) {
      return JSON.createObjectNode();
    }
    JsonNode body;
    try {
      body = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new BadRequestException(
          "the body is not JSON",
          List.of(
              new ErrorDetail(
                  "",
                  e.getLocation() == null ? null : e.getLocation().getLineNr(),
                  e.getLocation() == null ? null : e.getLocation().getColumnNr(),
                  e.getOriginalMessage())));
    }
    if (!body.isObject()) {
      throw new BadRequestException(
          "the body is not a JSON object", List.of(ErrorDetail.at("", "send {...} or nothing")));
    }
    return body;
  }

  private static String note(JsonNode body) {
    JsonNode note = body.path("note");
    if (note.isMissingNode() || note.isNull()) {
      return null;
    }
    if (!note.isTextual()) {
      throw new UnprocessableException(
          "invalid note", List.of(ErrorDetail.at("note", "a note is a string")));
    }
    return note.asText();
  }

  private static Instant instant(JsonNode body, String field, List<ErrorDetail> problems) {
    JsonNode value = body.path(field);
    if (!value.isTextual() || value.asText().isBlank()) {
      problems.add(
          ErrorDetail.at(field, "required: an ISO-8601 instant such as 2025-01-01T00:00:00Z"));
      return null;
    }
    String text = value.asText().trim();
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException notUtc) {
      try {
        return OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeParseException unreadable) {
        problems.add(
            ErrorDetail.at(
                field, "'" + text + "' is not an ISO-8601 instant such as 2025-01-01T00:00:00Z"));
        return null;
      }
    }
  }

  private static Optional<ScheduleOverlap> overlap(JsonNode body, List<ErrorDetail> problems) {
    JsonNode value = body.path("overlap");
    if (value.isMissingNode() || value.isNull()) {
      return Optional.empty();
    }
    try {
      if (value.isTextual()) {
        return Optional.of(JSON.convertValue(value, ScheduleOverlap.class));
      }
    } catch (IllegalArgumentException unknown) {
      // Reported below with the names that are valid.
    }
    problems.add(
        ErrorDetail.at(
            "overlap",
            "'"
                + value.asText()
                + "' is not one of "
                + String.join(
                    ", ",
                    Arrays.stream(ScheduleOverlap.values())
                        .map(o -> JSON.convertValue(o, String.class))
                        .toList())));
    return Optional.empty();
  }
}
