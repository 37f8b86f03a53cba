package io.capstan.definitions.fuzz;

import java.security.SecureRandom;
import java.util.OptionalInt;

/**
 * The seed of a fuzz run: {@code -Dfuzz.seed=N} when given, else a fresh random one. It is printed
 * before anything else runs, so a failure found on a CI machine can be replayed exactly; {@code
 * -Dfuzz.case=K} replays only case K of that seed.
 */
public record FuzzSeed(long value, OptionalInt onlyCase) {
  static final String SEED_PROPERTY = "fuzz.seed";
  static final String CASE_PROPERTY = "fuzz.case";

  /** Reads the seed from the system properties and prints it. */
  public static FuzzSeed fromSystemProperties(String suite) {
    String given = System.getProperty(SEED_PROPERTY, "").trim();
    long seed = given.isEmpty() ? new SecureRandom().nextLong() : Long.parseLong(given);
    String only = System.getProperty(CASE_PROPERTY, "").trim();
    FuzzSeed fuzzSeed =
        new FuzzSeed(
            seed, only.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(only)));
    System.out.println(suite + " fuzz seed: " + seed + " (" + fuzzSeed.rerun() + ")");
    return fuzzSeed;
  }

  /** How to replay this run. */
  public String rerun() {
    return "rerun with -D" + SEED_PROPERTY + "=" + value;
  }

  /** How to replay one case of this run. */
  public String rerun(int index) {
    return rerun() + " -D" + CASE_PROPERTY + "=" + index;
  }
}
