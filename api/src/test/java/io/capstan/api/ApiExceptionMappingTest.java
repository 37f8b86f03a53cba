package io.capstan.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.api.http.ApiException;
import io.capstan.api.http.ErrorDetail;
import io.capstan.api.http.Json;
import io.capstan.api.intake.UnservedExecutorException;
import io.capstan.api.runs.TaskNotFoundException;
import io.capstan.api.schedules.SchedulesUnavailableException;
import io.capstan.definitions.Problem;
import io.javalin.Javalin;
import io.javalin.http.Handler;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import io.javalin.testtools.JavalinTest;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import okhttp3.Response;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("An API refusal is answered with its own status, headers and {error, details[]}")
class ApiExceptionMappingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TemporalInfo TEMPORAL =
      new TemporalInfo("temporal.example:7233", "default", null, TemporalInfo.EXTERNAL);

  /** What the API answers when a handler throws {@code thrown}, with {@code temporal} behind it. */
  private record Answer(int status, JsonNode body, Map<String, List<String>> headers) {}

  private static Answer answerTo(RuntimeException thrown, TemporalInfo temporal) {
    Answer[] answer = new Answer[1];
    Handler throwing =
        ctx -> {
          throw thrown;
        };
    Javalin app =
        Javalin.create(config -> config.jsonMapper(new JavalinJackson(Json.mapper(), false)))
            .get("/refused", throwing);
    ErrorMappers.register(app, temporal);
    JavalinTest.test(
        app,
        (server, client) -> {
          try (Response response = client.get("/refused")) {
            answer[0] =
                new Answer(
                    response.code(),
                    JSON.readTree(response.body().string()),
                    response.headers().toMultimap());
          }
        });
    return answer[0];
  }

  private static JsonNode body(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static ApiException refusal(
      HttpStatus status, String message, List<ErrorDetail> details, Map<String, String> headers) {
    return new ApiException(status, message, details, headers) {};
  }

  @Test
  @DisplayName(
      "a refusal with no mapper of its own answers the status, message and details it says")
  void statusMessageAndDetails() {
    Answer answer =
        answerTo(
            refusal(
                HttpStatus.CONFLICT,
                "the kettle is already on",
                List.of(
                    ErrorDetail.at("kettle", "wait for it to boil"),
                    new ErrorDetail("spec.water", 3, 7, "fill it first")),
                Map.of()),
            TEMPORAL);

    assertThat(answer.status()).isEqualTo(409);
    assertThat(answer.body())
        .isEqualTo(
            body(
                """
                {"error": "the kettle is already on",
                 "details": [
                   {"path": "kettle", "line": null, "column": null,
                    "message": "wait for it to boil"},
                   {"path": "spec.water", "line": 3, "column": 7, "message": "fill it first"}]}
                """));
  }

  @Test
  @DisplayName("a refusal without details still answers an empty details list")
  void emptyDetails() {
    Answer answer = answerTo(refusal(HttpStatus.GONE, "gone", List.of(), Map.of()), TEMPORAL);

    assertThat(answer.status()).isEqualTo(410);
    assertThat(answer.body()).isEqualTo(body("{\"error\": \"gone\", \"details\": []}"));
  }

  @Test
  @DisplayName("the headers a refusal names are sent with it")
  void headers() {
    Answer answer =
        answerTo(
            refusal(
                HttpStatus.TOO_MANY_REQUESTS, "slow down", List.of(), Map.of("Retry-After", "7")),
            TEMPORAL);

    assertThat(answer.status()).isEqualTo(429);
    assertThat(answer.headers()).containsEntry("retry-after", List.of("7"));
  }

  @Test
  @DisplayName("a refusal that blames the server names the Temporal address the API was given")
  void namesTheServer() {
    Answer answer = answerTo(new SchedulesUnavailableException("spec.schedule"), TEMPORAL);

    assertThat(answer.status()).isEqualTo(422);
    assertThat(answer.body().get("error").asText())
        .isEqualTo(SchedulesUnavailableException.MESSAGE);
    assertThat(answer.body().get("details"))
        .isEqualTo(
            body(
                """
                [{"path": "spec.schedule", "line": null, "column": null,
                  "message": "Temporal at temporal.example:7233 has no Schedules"}]
                """));
  }

  @Test
  @DisplayName("without a known Temporal, the server is 'its address'")
  void unknownServer() {
    Answer answer = answerTo(new SchedulesUnavailableException("id"), null);

    assertThat(answer.body().at("/details/0/message").asText())
        .isEqualTo("Temporal at its address has no Schedules");
  }

  @Test
  @DisplayName("a definition's problems keep their positions, and an unknown position is null")
  void problemPositions() {
    Answer answer =
        answerTo(
            new UnservedExecutorException(
                List.of(
                    new Problem("spec.tasks[0].executor", 4, 9, "no worker serves container"),
                    new Problem("spec.tasks[1].executor", 0, 0, "no worker serves gpu"))),
            TEMPORAL);

    assertThat(answer.status()).isEqualTo(422);
    assertThat(answer.body())
        .isEqualTo(
            body(
                """
                {"error": "the definition uses executors that no worker serves yet",
                 "details": [
                   {"path": "spec.tasks[0].executor", "line": 4, "column": 9,
                    "message": "no worker serves container"},
                   {"path": "spec.tasks[1].executor", "line": null, "column": null,
                    "message": "no worker serves gpu"}]}
                """));
  }

  @Test
  @DisplayName("an unknown task names the run's first 20 tasks and counts the rest")
  void longTaskList() {
    List<String> tasks = IntStream.rangeClosed(1, 25).mapToObj(i -> "t" + i).toList();

    Answer answer = answerTo(new TaskNotFoundException("pipeline-x", "nope", tasks), TEMPORAL);

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.body().get("error").asText())
        .isEqualTo("run 'pipeline-x' has no task 'nope'");
    assertThat(answer.body().at("/details/0/message").asText())
        .isEqualTo("its tasks: " + String.join(", ", tasks.subList(0, 20)) + " and 5 more");
  }
}
