package io.capstan.app.up;

import io.capstan.workflows.RunSearchAttributes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesResponse;
import io.temporal.api.operatorservice.v1.OperatorServiceGrpc.OperatorServiceBlockingStub;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Registers {@link RunSearchAttributes#ALL} with a Temporal server through the OperatorService, so
 * runs can carry them on any server: the dev server, the Java test server, or an external cluster
 * that was not set up with Capstan's docker-compose file.
 */
final class CapstanSearchAttributes {
  private static final long CALL_TIMEOUT_SECONDS = 10;

  private CapstanSearchAttributes() {}

  /** Capstan's attributes by name, in declaration order. */
  static Map<String, IndexedValueType> wanted() {
    Map<String, IndexedValueType> wanted = new LinkedHashMap<>();
    for (SearchAttributeKey<?> key : RunSearchAttributes.ALL) {
      wanted.put(key.getName(), key.getValueType());
    }
    return wanted;
  }

  /** {@code --search-attribute NAME=Type} pairs for {@code temporal server start-dev}. */
  static List<String> startDevFlags() {
    List<String> flags = new ArrayList<>();
    wanted()
        .forEach(
            (name, type) -> {
              flags.add("--search-attribute");
              flags.add(name + "=" + cliType(type));
            });
    return flags;
  }

  /** The type names {@code temporal} accepts: Keyword, KeywordList, Text, Int, ... */
  static String cliType(IndexedValueType type) {
    return switch (type) {
      case INDEXED_VALUE_TYPE_KEYWORD -> "Keyword";
      case INDEXED_VALUE_TYPE_KEYWORD_LIST -> "KeywordList";
      case INDEXED_VALUE_TYPE_TEXT -> "Text";
      case INDEXED_VALUE_TYPE_INT -> "Int";
      case INDEXED_VALUE_TYPE_DOUBLE -> "Double";
      case INDEXED_VALUE_TYPE_BOOL -> "Bool";
      case INDEXED_VALUE_TYPE_DATETIME -> "Datetime";
      default -> throw new IllegalArgumentException("no CLI name for " + type);
    };
  }

  /** Registration failed; the message says what to do. */
  static final class RegistrationException extends RuntimeException {
    RegistrationException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Adds whichever of Capstan's attributes {@code namespace} lacks; attributes already there are
   * left alone, so this is safe on every start.
   *
   * @return the names that were added
   * @throws RegistrationException when the server refuses, or has one of the names with another
   *     type
   */
  static List<String> register(WorkflowServiceStubs stubs, String namespace) {
    // The operator stubs share the workflow stubs' channel, so shutting them down leaves it open.
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setChannel(stubs.getRawChannel())
                .validateAndBuildWithDefaults());
    try {
      return register(operator.blockingStub(), namespace);
    } finally {
      operator.shutdown();
    }
  }

  private static List<String> register(OperatorServiceBlockingStub operator, String namespace) {
    Map<String, IndexedValueType> wanted = wanted();
    Map<String, IndexedValueType> existing;
    try {
      ListSearchAttributesResponse listed =
          withTimeout(operator)
              .listSearchAttributes(
                  ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build());
      existing = new LinkedHashMap<>(listed.getSystemAttributesMap());
      existing.putAll(listed.getCustomAttributesMap());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
        throw refused(namespace, e);
      }
      // The Java test server cannot list; it refuses a name it has, so add them one by one.
      return addOneByOne(operator, namespace, wanted);
    }
    Map<String, IndexedValueType> missing = new LinkedHashMap<>();
    wanted.forEach(
        (name, type) -> {
          IndexedValueType registered = existing.get(name);
          if (registered == null) {
            missing.put(name, type);
          } else if (registered != type) {
            throw new RegistrationException(
                "search attribute "
                    + name
                    + " is registered in namespace "
                    + namespace
                    + " as "
                    + cliType(registered)
                    + ", but Capstan needs "
                    + cliType(type)
                    + ": remove it (temporal operator search-attribute remove --name "
                    + name
                    + ") or use another namespace",
                null);
          }
        });
    if (!missing.isEmpty()) {
      add(operator, namespace, missing);
    }
    return List.copyOf(missing.keySet());
  }

  private static List<String> addOneByOne(
      OperatorServiceBlockingStub operator, String namespace, Map<String, IndexedValueType> all) {
    List<String> added = new ArrayList<>();
    all.forEach(
        (name, type) -> {
          if (add(operator, namespace, Map.of(name, type))) {
            added.add(name);
          }
        });
    return added;
  }

  /** Adds the attributes; false when the server says they exist already. */
  private static boolean add(
      OperatorServiceBlockingStub operator,
      String namespace,
      Map<String, IndexedValueType> attributes) {
    try {
      withTimeout(operator)
          .addSearchAttributes(
              AddSearchAttributesRequest.newBuilder()
                  .setNamespace(namespace)
                  .putAllSearchAttributes(attributes)
                  .build());
      return true;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.ALREADY_EXISTS) {
        return false;
      }
      throw refused(namespace, e);
    }
  }

  private static OperatorServiceBlockingStub withTimeout(OperatorServiceBlockingStub operator) {
    return operator.withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private static RegistrationException refused(String namespace, StatusRuntimeException e) {
    return new RegistrationException(
        "cannot register Capstan's search attributes ("
            + String.join(", ", wanted().keySet())
            + ") in namespace "
            + namespace
            + ": "
            + e.getStatus().getCode()
            + " "
            + e.getStatus().getDescription()
            + "; register them with `temporal operator search-attribute create`, or runs will be"
            + " refused",
        e);
  }
}
