package io.capstan.workflows.cluster;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.Map;

/** Tells the world about a cluster alert: a JSON POST to the webhook the budget names. */
@ActivityInterface
public interface AlertActivities {
  /** Posts {@code body} as JSON; a non-2xx answer fails the attempt (retried a few times). */
  @ActivityMethod(name = "PostWebhook")
  void postWebhook(String url, Map<String, Object> body);
}
