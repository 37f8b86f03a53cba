package io.capstan.bench.baseline;

/** Returns its input, as a zero-second simulate task returns its output. */
public final class RawActivitiesImpl implements RawActivities {
  @Override
  public String echo(String input) {
    return input;
  }
}
