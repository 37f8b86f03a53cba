package io.capstan.api.runs;

import java.time.Instant;

/** A run as listed and as answered at submit. */
public record RunSummary(
    String id,
    String kind,
    String name,
    String namespace,
    RunStatus status,
    Instant startedAt,
    Instant closedAt,
    RunLinks links) {}
