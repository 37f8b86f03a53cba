package io.capstan.definitions.pipeline;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How the delay between attempts grows: {@code exponential} multiplies it by {@code multiplier} up
 * to {@code max}; {@code linear} waits {@code interval} times the attempt number; {@code fixed}
 * waits {@code interval} every time.
 */
public enum Backoff {
  @JsonProperty("exponential")
  EXPONENTIAL,
  @JsonProperty("linear")
  LINEAR,
  @JsonProperty("fixed")
  FIXED
}
