package io.capstan.workflows.archfixture;

import io.capstan.definitions.archfixture.DefinitionThatReadsTheClock;

/**
 * Workflow code that is deterministic itself but calls a definitions helper that is not. It exists
 * only so that a test can prove the determinism rules follow the call; it is never run.
 */
public final class WorkflowCodeThatCallsDefinitions {
  private WorkflowCodeThatCallsDefinitions() {}

  public static String renderCommand(String command) {
    return DefinitionThatReadsTheClock.render(command);
  }
}
