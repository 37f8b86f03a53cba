package io.capstan.api.runs;

/** The answer to a submit: the run a document started, or found when the request was a resend. */
public record SubmittedRun(
    String id, String kind, String name, String namespace, RunStatus status, RunLinks links) {}
