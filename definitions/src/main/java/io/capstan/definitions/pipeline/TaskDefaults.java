package io.capstan.definitions.pipeline;

import java.time.Duration;

/** Retry and timeout applied to every task that does not set its own. */
public record TaskDefaults(RetrySpec retry, Duration timeout) {}
