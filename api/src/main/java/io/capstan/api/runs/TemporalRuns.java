package io.capstan.api.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.capstan.api.auth.Principal;
import io.capstan.workflows.RunSearchAttributes;
import io.capstan.workflows.run.RunState;
import io.capstan.workflows.run.TaskState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.HistoryEventFilterType;
import io.temporal.api.failure.v1.Failure;
import io.temporal.api.history.v1.ActivityTaskScheduledEventAttributes;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.query.v1.WorkflowQuery;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.QueryWorkflowRequest;
import io.temporal.api.workflowservice.v1.QueryWorkflowResponse;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc.WorkflowServiceBlockingStub;
import io.temporal.client.WorkflowClient;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.converter.DataConverter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The API's reads of Temporal, through the service stubs so that each call has its own deadline: a
 * run's description, its {@code status} query, its close event and the task names of its
 * activities. A run unknown to Temporal, or not started by Capstan, is a {@link
 * RunNotFoundException}; other failures propagate as gRPC status exceptions.
 */
public final class TemporalRuns {
  /** A query needs a worker to answer it; a run whose worker is gone must not hang a request. */
  static final Duration QUERY_TIMEOUT = Duration.ofSeconds(3);

  static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
  private static final int NAME_CACHE_LIMIT = 10_000;

  private final WorkflowClient client;
  private final String namespace;
  private final DataConverter converter;

  /** Activity ids never change meaning within an execution, so their task names are cached. */
  private final Map<String, String> taskNames = new ConcurrentHashMap<>();

  public TemporalRuns(WorkflowClient client) {
    this.client = client;
    this.namespace = client.getOptions().getNamespace();
    this.converter = client.getOptions().getDataConverter();
  }

  public WorkflowClient client() {
    return client;
  }

  /** The latest execution of the run {@code id}. */
  public DescribeWorkflowExecutionResponse describe(String id) {
    if (!RunIds.isWellFormed(id)) {
      throw new RunNotFoundException(id);
    }
    try {
      return stub(CALL_TIMEOUT)
          .describeWorkflowExecution(
              DescribeWorkflowExecutionRequest.newBuilder()
                  .setNamespace(namespace)
                  .setExecution(WorkflowExecution.newBuilder().setWorkflowId(id))
                  .build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        throw new RunNotFoundException(id);
      }
      throw e;
    }
  }

  /** A run's description and who it is. */
  public record Visible(DescribeWorkflowExecutionResponse description, RunRef ref) {
    public WorkflowExecutionInfo info() {
      return description.getWorkflowExecutionInfo();
    }
  }

  /**
   * The run {@code id}, when {@code principal} may see it: its {@code CapstanNamespace} is one of
   * the principal's. A run of another namespace is a {@link RunNotFoundException} exactly like an
   * unknown id, so a crafted id learns nothing about other tenants' runs.
   */
  public Visible describeFor(String id, Principal principal) {
    DescribeWorkflowExecutionResponse description = describe(id);
    RunRef ref = refOf(description.getWorkflowExecutionInfo());
    if (!principal.mayUse(ref.namespace())) {
      throw new RunNotFoundException(id);
    }
    return new Visible(description, ref);
  }

  /**
   * Who the run is, from the search attributes and memo it was started with.
   *
   * @throws RunNotFoundException when the execution was not started by Capstan
   */
  public RunRef refOf(WorkflowExecutionInfo info) {
    String id = info.getExecution().getWorkflowId();
    return refIfCapstan(info).orElseThrow(() -> new RunNotFoundException(id));
  }

  /**
   * The run's identity, or empty for an execution that Capstan did not start. It is read from the
   * run's search attributes, and from its memo where an attribute is missing (runs started before
   * Capstan set search attributes carry only the memo).
   */
  public Optional<RunRef> refIfCapstan(WorkflowExecutionInfo info) {
    Map<String, Payload> attributes = info.getSearchAttributes().getIndexedFieldsMap();
    Map<String, Payload> memo = info.getMemo().getFieldsMap();
    Optional<RunKind> kind =
        Optional.ofNullable(identity(attributes, RunSearchAttributes.KIND, memo, RunRef.MEMO_KIND))
            .flatMap(RunKind::parse);
    if (kind.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new RunRef(
            info.getExecution().getWorkflowId(),
            kind.get(),
            identity(attributes, RunSearchAttributes.NAME, memo, RunRef.MEMO_NAME),
            identity(attributes, RunSearchAttributes.NAMESPACE, memo, RunRef.MEMO_NAMESPACE)));
  }

  private String identity(
      Map<String, Payload> attributes,
      SearchAttributeKey<String> key,
      Map<String, Payload> memo,
      String memoKey) {
    String value = decodeString(attributes.get(key.getName()));
    return value != null ? value : decodeString(memo.get(memoKey));
  }

  /** The answer of the run's {@code status} query, within {@link #QUERY_TIMEOUT}. */
  public RunState queryState(String id) {
    return queryStatus(id, RunState.class);
  }

  /**
   * The answer of the run's {@code status} query, read as {@code type} (the status record of the
   * run's kind), within {@link #QUERY_TIMEOUT}.
   */
  public <T> T queryStatus(String id, Class<T> type) {
    QueryWorkflowResponse response =
        stub(QUERY_TIMEOUT)
            .queryWorkflow(
                QueryWorkflowRequest.newBuilder()
                    .setNamespace(namespace)
                    .setExecution(WorkflowExecution.newBuilder().setWorkflowId(id))
                    .setQuery(WorkflowQuery.newBuilder().setQueryType(RunState.QUERY))
                    .build());
    if (response.hasQueryRejected()) {
      throw new IllegalStateException(
          "the run rejected the query in status " + response.getQueryRejected().getStatus());
    }
    return decode(response.getQueryResult(), type);
  }

  /**
   * One page of the run's state, by its {@code statusPage} query; a run whose worker predates that
   * query answers its whole {@code status}, cut to the page here.
   */
  public RunState queryStatePage(String id, int offset, int limit) {
    QueryWorkflowResponse response;
    try {
      response =
          stub(QUERY_TIMEOUT)
              .queryWorkflow(
                  QueryWorkflowRequest.newBuilder()
                      .setNamespace(namespace)
                      .setExecution(WorkflowExecution.newBuilder().setWorkflowId(id))
                      .setQuery(
                          WorkflowQuery.newBuilder()
                              .setQueryType(RunState.QUERY_PAGE)
                              .setQueryArgs(converter.toPayloads(offset, limit).orElseThrow()))
                      .build());
    } catch (io.grpc.StatusRuntimeException e) {
      io.grpc.Status.Code code = e.getStatus().getCode();
      if (code == io.grpc.Status.Code.INVALID_ARGUMENT
          || code == io.grpc.Status.Code.FAILED_PRECONDITION) {
        String message = String.valueOf(e.getStatus().getDescription());
        if (message.contains(RunState.QUERY_PAGE) || message.toLowerCase().contains("unknown")) {
          return queryStatus(id, RunState.class).page(offset, limit);
        }
      }
      throw e;
    }
    if (response.hasQueryRejected()) {
      throw new IllegalStateException(
          "the run rejected the query in status " + response.getQueryRejected().getStatus());
    }
    return decode(response.getQueryResult(), RunState.class);
  }

  /**
   * The states of the named tasks by the {@code taskStates} query of a large run's segment, which
   * answers even once the segment has ended; names it does not know are left out.
   */
  @SuppressWarnings("unchecked")
  public Map<String, TaskState> queryTaskStates(String id, List<String> names) {
    QueryWorkflowResponse response =
        stub(QUERY_TIMEOUT)
            .queryWorkflow(
                QueryWorkflowRequest.newBuilder()
                    .setNamespace(namespace)
                    .setExecution(WorkflowExecution.newBuilder().setWorkflowId(id))
                    .setQuery(
                        WorkflowQuery.newBuilder()
                            .setQueryType(TASK_STATES_QUERY)
                            .setQueryArgs(converter.toPayloads(names).orElseThrow()))
                    .build());
    if (response.hasQueryRejected()) {
      throw new IllegalStateException(
          "the run rejected the query in status " + response.getQueryRejected().getStatus());
    }
    return converter.fromPayloads(
        0, Optional.of(response.getQueryResult()), Map.class, TASK_STATES_TYPE);
  }

  /** The query a large run's segment answers its tasks' states with. */
  static final String TASK_STATES_QUERY = "taskStates";

  private static final java.lang.reflect.Type TASK_STATES_TYPE =
      new com.fasterxml.jackson.core.type.TypeReference<Map<String, TaskState>>() {}.getType();

  /** The event that closed the execution, or empty while it runs. */
  public Optional<HistoryEvent> closeEvent(WorkflowExecution execution) {
    GetWorkflowExecutionHistoryResponse response =
        stub(CALL_TIMEOUT)
            .getWorkflowExecutionHistory(
                GetWorkflowExecutionHistoryRequest.newBuilder()
                    .setNamespace(namespace)
                    .setExecution(execution)
                    .setHistoryEventFilterType(
                        HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
                    .build());
    var events = response.getHistory().getEventsList();
    return events.isEmpty() ? Optional.empty() : Optional.of(events.get(events.size() - 1));
  }

  /**
   * The final status a completed run returned, read as {@code type}, when its close event carries
   * one.
   */
  public <T> Optional<T> completedStatus(HistoryEvent close, Class<T> type) {
    if (close.getEventType() != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED) {
      return Optional.empty();
    }
    Payloads result = close.getWorkflowExecutionCompletedEventAttributes().getResult();
    return result.getPayloadsCount() == 0 ? Optional.empty() : Optional.of(decode(result, type));
  }

  /** Why an execution ended other than by completing, in words; empty for completed or canceled. */
  public static Optional<String> closeReason(HistoryEvent close) {
    return switch (close.getEventType()) {
      case EVENT_TYPE_WORKFLOW_EXECUTION_FAILED ->
          Optional.of(
              failureMessage(close.getWorkflowExecutionFailedEventAttributes().getFailure()));
      case EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT -> Optional.of("the run exceeded its timeout");
      case EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED -> {
        String reason = close.getWorkflowExecutionTerminatedEventAttributes().getReason();
        yield Optional.of(reason.isBlank() ? "the run was terminated" : "terminated: " + reason);
      }
      default -> Optional.empty();
    };
  }

  /**
   * A failure with its causes, e.g. {@code task 'load' failed: exit code 2}. Temporal wraps
   * activity failures in generic envelopes, so messages that add nothing are left out.
   */
  public static String failureMessage(Failure failure) {
    StringBuilder text = new StringBuilder();
    Failure current = failure;
    for (int depth = 0; current != null && depth < 5; depth++) {
      String message = current.getMessage();
      if (!message.isBlank() && text.indexOf(message) < 0) {
        if (text.length() > 0) {
          text.append(": ");
        }
        text.append(message);
      }
      current = current.hasCause() ? current.getCause() : null;
    }
    return text.length() == 0 ? "the run failed" : text.toString();
  }

  /**
   * The task name behind each of the given activity ids of an execution. The Java SDK numbers
   * activities itself, so the name is read from the request in each activity's scheduled event.
   */
  public Map<String, String> taskNamesOf(WorkflowExecution execution, Set<String> activityIds) {
    Map<String, String> found = new HashMap<>();
    Set<String> missing = new HashSet<>();
    for (String activityId : activityIds) {
      String cached = taskNames.get(cacheKey(execution, activityId));
      if (cached != null) {
        found.put(activityId, cached);
      } else {
        missing.add(activityId);
      }
    }
    if (missing.isEmpty()) {
      return found;
    }
    ByteString page = ByteString.EMPTY;
    do {
      GetWorkflowExecutionHistoryResponse response =
          stub(CALL_TIMEOUT)
              .getWorkflowExecutionHistory(
                  GetWorkflowExecutionHistoryRequest.newBuilder()
                      .setNamespace(namespace)
                      .setExecution(execution)
                      .setNextPageToken(page)
                      .build());
      for (HistoryEvent event : response.getHistory().getEventsList()) {
        if (event.getEventType() != EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
          continue;
        }
        ActivityTaskScheduledEventAttributes scheduled =
            event.getActivityTaskScheduledEventAttributes();
        if (!missing.remove(scheduled.getActivityId())) {
          continue;
        }
        taskNameOf(event)
            .ifPresent(
                name -> {
                  found.put(scheduled.getActivityId(), name);
                  remember(execution, scheduled.getActivityId(), name);
                });
      }
      page = response.getNextPageToken();
    } while (!missing.isEmpty() && !page.isEmpty());
    return found;
  }

  /**
   * The host a task attempt failed on: task failures carry {@code (attempt, host)} as details (see
   * {@code TaskFailures}); empty for any other failure.
   */
  public Optional<String> failureHost(Failure failure) {
    for (Failure current = failure; current != null; ) {
      if (current.hasApplicationFailureInfo()
          && current.getApplicationFailureInfo().getDetails().getPayloadsCount() >= 2) {
        try {
          return Optional.ofNullable(
              converter.fromPayload(
                  current.getApplicationFailureInfo().getDetails().getPayloads(1),
                  String.class,
                  String.class));
        } catch (RuntimeException undecodable) {
          return Optional.empty();
        }
      }
      current = current.hasCause() ? current.getCause() : null;
    }
    return Optional.empty();
  }

  /** The host part of a worker identity: the Java SDK's default identity is {@code pid@host}. */
  public static String hostOfIdentity(String identity) {
    if (identity == null || identity.isBlank()) {
      return null;
    }
    int at = identity.indexOf('@');
    return at > 0 && identity.substring(0, at).chars().allMatch(Character::isDigit)
        ? identity.substring(at + 1)
        : identity;
  }

  /** One page of a visibility listing. */
  public ListWorkflowExecutionsResponse list(String query, int pageSize, ByteString pageToken) {
    return stub(CALL_TIMEOUT)
        .listWorkflowExecutions(
            ListWorkflowExecutionsRequest.newBuilder()
                .setNamespace(namespace)
                .setQuery(query)
                .setPageSize(pageSize)
                .setNextPageToken(pageToken)
                .build());
  }

  static Instant instant(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }

  /** The task an activity runs for, named in its request's {@code context}. */
  private Optional<String> taskNameOf(HistoryEvent event) {
    ActivityTaskScheduledEventAttributes scheduled =
        event.getActivityTaskScheduledEventAttributes();
    if (scheduled.getInput().getPayloadsCount() == 0) {
      return Optional.empty();
    }
    try {
      JsonNode request =
          converter.fromPayload(
              scheduled.getInput().getPayloads(0), JsonNode.class, JsonNode.class);
      JsonNode task = request == null ? null : request.path("context").path("task");
      return task != null && task.isTextual() ? Optional.of(task.asText()) : Optional.empty();
    } catch (RuntimeException undecodable) {
      // An activity whose input is not a task request simply has no task name.
      return Optional.empty();
    }
  }

  private void remember(WorkflowExecution execution, String activityId, String name) {
    if (taskNames.size() >= NAME_CACHE_LIMIT) {
      taskNames.clear();
    }
    taskNames.put(cacheKey(execution, activityId), name);
  }

  private static String cacheKey(WorkflowExecution execution, String activityId) {
    return execution.getWorkflowId() + '/' + execution.getRunId() + '/' + activityId;
  }

  private <T> T decode(Payloads payloads, Class<T> type) {
    return converter.fromPayloads(0, Optional.of(payloads), type, type);
  }

  /** A string payload (a keyword search attribute or a memo entry), or null if unreadable. */
  private String decodeString(Payload payload) {
    if (payload == null) {
      return null;
    }
    try {
      return converter.fromPayload(payload, String.class, String.class);
    } catch (RuntimeException undecodable) {
      return null;
    }
  }

  private WorkflowServiceBlockingStub stub(Duration timeout) {
    return client
        .getWorkflowServiceStubs()
        .blockingStub()
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
