package io.capstan.definitions.archfixture;

import java.time.Instant;

/**
 * A definitions helper that workflow code calls ({@link
 * io.capstan.workflows.archfixture.WorkflowCodeThatCallsDefinitions}) and that reads the wall
 * clock, which the determinism rules forbid in whatever workflow code calls. It exists only so that
 * a test can prove the rules reach into definitions; it is never run.
 */
public final class DefinitionThatReadsTheClock {
  private DefinitionThatReadsTheClock() {}

  public static String render(String text) {
    return text.replace("#{now}", Instant.now().toString());
  }
}
