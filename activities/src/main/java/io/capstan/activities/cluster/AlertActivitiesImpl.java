package io.capstan.activities.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.workflows.cluster.AlertActivities;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Posts cluster alerts to webhooks as JSON. */
public final class AlertActivitiesImpl implements AlertActivities {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @Override
  public void postWebhook(String url, Map<String, Object> body) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(url))
                  .timeout(Duration.ofSeconds(20))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw ApplicationFailure.newFailure(
            "webhook " + url + " answered " + response.statusCode(), "WebhookRefused");
      }
    } catch (IOException e) {
      throw ApplicationFailure.newFailure(
          "webhook " + url + " unreachable: " + e.getMessage(), "WebhookUnreachable");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("interrupted", "WebhookUnreachable");
    }
  }
}
