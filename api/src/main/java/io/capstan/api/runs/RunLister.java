package io.capstan.api.runs;

import com.google.protobuf.ByteString;
import io.capstan.api.TemporalInfo;
import io.capstan.api.http.BadRequestException;
import io.capstan.api.http.ErrorDetail;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Answers {@code GET /api/v1/runs}. Temporal's visibility store lists runs when the server has one,
 * filtered by a query on Capstan's search attributes (see {@link RunQuery}) and paged by the
 * server's own tokens; the embedded test server has none (it answers UNIMPLEMENTED), and then the
 * runs this API started are listed from its local index, each described for its current status.
 */
public final class RunLister {
  public static final int DEFAULT_PAGE_SIZE = 20;
  public static final int MAX_PAGE_SIZE = 1000;
  static final String LOCAL_NOTE =
      "the embedded Temporal test server has no visibility store, so this lists only the runs"
          + " this API process started";
  static final String SCHEDULE_NOTE = "; it has no schedules either, so no run was scheduled";
  private static final String VISIBILITY_TOKEN = "v.";
  private static final String LOCAL_TOKEN = "l.";

  private final TemporalRuns runs;
  private final TemporalInfo temporal;
  private final LocalRunIndex index;

  public RunLister(TemporalRuns runs, TemporalInfo temporal, LocalRunIndex index) {
    this.runs = runs;
    this.temporal = temporal;
    this.index = index;
  }

  /**
   * @param pageToken null for the first page, else a {@code nextPageToken} of an earlier page (a
   *     token carries no namespace: the filter's scope applies to every page anew)
   */
  public RunPage list(RunFilter filter, int pageSize, String pageToken) {
    if (filter.excludesEverything()) {
      return new RunPage(List.of(), null, RunPage.VISIBILITY, null);
    }
    if (pageToken != null && pageToken.startsWith(LOCAL_TOKEN)) {
      return fromIndex(filter, pageSize, localOffset(pageToken));
    }
    ByteString visibilityToken = pageToken == null ? ByteString.EMPTY : visibilityToken(pageToken);
    try {
      return fromVisibility(filter, pageSize, visibilityToken);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
        throw e;
      }
      return fromIndex(filter, pageSize, 0);
    }
  }

  /** The visibility query for a filter; see {@link RunQuery}. */
  static String visibilityQuery(RunFilter filter) {
    return RunQuery.of(filter);
  }

  private RunPage fromVisibility(RunFilter filter, int pageSize, ByteString token) {
    ListWorkflowExecutionsResponse response = runs.list(visibilityQuery(filter), pageSize, token);
    List<RunSummary> page = new ArrayList<>();
    for (WorkflowExecutionInfo info : response.getExecutionsList()) {
      if (info.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW) {
        continue;
      }
      runs.refIfCapstan(info)
          .filter(filter::matches)
          .ifPresent(ref -> page.add(summary(ref, info)));
    }
    ByteString next = response.getNextPageToken();
    String nextToken =
        next.isEmpty()
            ? null
            : VISIBILITY_TOKEN
                + Base64.getUrlEncoder().withoutPadding().encodeToString(next.toByteArray());
    return new RunPage(page, nextToken, RunPage.VISIBILITY, null);
  }

  private RunPage fromIndex(RunFilter filter, int pageSize, int offset) {
    if (filter.schedule().isPresent()) {
      return new RunPage(List.of(), null, RunPage.LOCAL_INDEX, LOCAL_NOTE + SCHEDULE_NOTE);
    }
    List<RunRef> candidates = index.newestFirst().stream().filter(filter::matches).toList();
    List<RunSummary> page = new ArrayList<>();
    boolean more;
    if (filter.status().isEmpty()) {
      // Only the page itself needs describing.
      candidates.stream()
          .skip(offset)
          .limit(pageSize)
          .map(this::describe)
          .flatMap(Optional::stream)
          .forEach(page::add);
      more = candidates.size() > offset + pageSize;
    } else {
      // The status is known only once described, so every candidate up to the page is; the
      // index's bounded size keeps that affordable.
      int skipped = 0;
      more = false;
      for (RunRef ref : candidates) {
        Optional<RunSummary> summary = describe(ref).filter(s -> filter.matches(s.status()));
        if (summary.isEmpty()) {
          continue;
        }
        if (skipped < offset) {
          skipped++;
        } else if (page.size() == pageSize) {
          more = true;
          break;
        } else {
          page.add(summary.get());
        }
      }
    }
    String next = more ? LOCAL_TOKEN + (offset + pageSize) : null;
    return new RunPage(page, next, RunPage.LOCAL_INDEX, LOCAL_NOTE);
  }

  private Optional<RunSummary> describe(RunRef ref) {
    try {
      return Optional.of(summary(ref, runs.describe(ref.id()).getWorkflowExecutionInfo()));
    } catch (RunNotFoundException gone) {
      // Temporal dropped the run after its retention period; the index forgets it quietly.
      return Optional.empty();
    }
  }

  private RunSummary summary(RunRef ref, WorkflowExecutionInfo info) {
    return new RunSummary(
        ref.id(),
        ref.kind().kindName(),
        ref.name(),
        ref.namespace(),
        RunStatus.of(info.getStatus()),
        info.hasStartTime() ? TemporalRuns.instant(info.getStartTime()) : null,
        info.hasCloseTime() ? TemporalRuns.instant(info.getCloseTime()) : null,
        RunLinks.forRun(ref.id(), temporal));
  }

  private static int localOffset(String token) {
    try {
      int offset = Integer.parseInt(token.substring(LOCAL_TOKEN.length()));
      if (offset < 0) {
        throw new NumberFormatException();
      }
      return offset;
    } catch (NumberFormatException e) {
      throw invalidToken();
    }
  }

  private static ByteString visibilityToken(String token) {
    if (!token.startsWith(VISIBILITY_TOKEN)) {
      throw invalidToken();
    }
    try {
      return ByteString.copyFrom(
          Base64.getUrlDecoder().decode(token.substring(VISIBILITY_TOKEN.length())));
    } catch (IllegalArgumentException e) {
      throw invalidToken();
    }
  }

  private static BadRequestException invalidToken() {
    return new BadRequestException(
        "invalid page token",
        List.of(
            ErrorDetail.at("pageToken", "use the nextPageToken of the previous page, unchanged")));
  }
}
