package io.capstan.api.runs;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One page of runs.
 *
 * @param nextPageToken null on the last page
 * @param source {@code visibility} when Temporal listed the runs, {@code local-index} when this API
 *     answered from the runs it started itself
 * @param note why the source is the local index
 */
public record RunPage(
    List<RunSummary> runs,
    String nextPageToken,
    String source,
    @JsonInclude(JsonInclude.Include.NON_NULL) String note) {
  public static final String VISIBILITY = "visibility";
  public static final String LOCAL_INDEX = "local-index";
}
