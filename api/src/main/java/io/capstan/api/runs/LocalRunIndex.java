package io.capstan.api.runs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runs this API process started, newest last, so it can list runs where Temporal has no
 * visibility store (the embedded test server). Bounded: the oldest entries go first.
 */
public final class LocalRunIndex {
  static final int CAPACITY = 10_000;

  private final Map<String, RunRef> runs =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RunRef> eldest) {
          return size() > CAPACITY;
        }
      };

  public synchronized void add(RunRef run) {
    runs.putIfAbsent(run.id(), run);
  }

  public synchronized List<RunRef> newestFirst() {
    List<RunRef> all = new ArrayList<>(runs.values());
    Collections.reverse(all);
    return all;
  }
}
