package io.capstan.workflows.task;

/**
 * A task output kept outside workflow history (the claim-check pattern): where it is in the output
 * store, how large it is, its SHA-256 (checked whenever it is read back) and the first characters,
 * for people. History carries this instead of the bytes, so a run's history and every
 * continue-as-new carry grow by a few hundred bytes per output, whatever its size.
 *
 * @param key the store key ({@code runs/RUN/TASK/SHA256})
 * @param size the output's size in bytes
 * @param sha256 lower-case hex
 * @param preview the output's first characters (at most {@link #PREVIEW_CHARS})
 */
public record OutputRef(String key, long size, String sha256, String preview) {
  /** How many characters of a stored output its reference shows. */
  public static final int PREVIEW_CHARS = 200;
}
