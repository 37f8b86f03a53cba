package io.capstan.definitions.archfixture;

import io.temporal.common.RetryOptions;

/**
 * A definitions class that imports Temporal, which the module boundary rule forbids. It exists only
 * so that a test can prove the rule catches it; it is never run.
 */
public final class DefinitionThatKnowsTemporal {
  private DefinitionThatKnowsTemporal() {}

  public static RetryOptions retry() {
    return RetryOptions.getDefaultInstance();
  }
}
