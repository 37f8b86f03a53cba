package io.capstan.api.runs;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Which of a run's tasks an answer holds: from {@code offset} (in definition order), at most {@code
 * limit}, of {@code total}; {@code nextOffset} is where the next page starts, absent on the last.
 */
public record TaskPage(
    int offset,
    int limit,
    int total,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer nextOffset) {}
