package io.capstan.bench.baseline;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** The baseline's unit of work: the least an activity can do, so the ratio measures Capstan. */
@ActivityInterface
public interface RawActivities {
  @ActivityMethod(name = "RawEcho")
  String echo(String input);
}
