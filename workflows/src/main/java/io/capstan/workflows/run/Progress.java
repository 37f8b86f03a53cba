package io.capstan.workflows.run;

/** How many of a run's tasks have reached a final phase, out of how many. */
public record Progress(int done, int total) {}
