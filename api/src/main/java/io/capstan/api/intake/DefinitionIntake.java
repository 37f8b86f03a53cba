package io.capstan.api.intake;

import com.fasterxml.jackson.core.JsonPointer;
import io.capstan.api.executors.ServedExecutors;
import io.capstan.api.http.BadRequestException;
import io.capstan.api.http.ErrorDetail;
import io.capstan.api.runs.KindRuns;
import io.capstan.api.runs.RunKind;
import io.capstan.definitions.ClusterDefinition;
import io.capstan.definitions.Definition;
import io.capstan.definitions.DefinitionException;
import io.capstan.definitions.DefinitionParser;
import io.capstan.definitions.Problem;
import io.capstan.definitions.executor.Executor;
import io.capstan.definitions.executor.ExecutorKind;
import io.capstan.workflows.TaskQueues;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns a request into a {@link Submission}: reads the body as YAML or JSON (JSON is read by the
 * same YAML parser, so its errors carry positions too), collects the parameter overrides, and
 * refuses definitions that use an executor no worker serves.
 */
public final class DefinitionIntake {
  static final String PARAM_PREFIX = "param.";
  private static final Pattern PARAM_NAME = Pattern.compile("[A-Za-z0-9_-]+");

  private final ServedExecutors workers;

  public DefinitionIntake(ServedExecutors workers) {
    this.workers = workers;
  }

  /**
   * @param contentType the request's Content-Type, or null; JSON types select JSON, anything else
   *     YAML
   * @param query the request's query parameters; those named {@code param.NAME} are overrides
   * @throws BadRequestException for an empty body or a malformed override
   * @throws DefinitionException for an invalid definition (YAML and JSON syntax errors included)
   * @throws UnservedExecutorException for a task or job whose executor no worker serves
   */
  public Submission read(String body, String contentType, Map<String, List<String>> query) {
    Map<String, String> params = params(query);
    if (body == null || body.isBlank()) {
      throw new BadRequestException(
          "the request body is empty: send a Pipeline or Job definition as YAML or JSON");
    }
    boolean json = isJson(contentType);
    String text = json ? withoutTabs(body) : body;
    List<Definition> definitions;
    try {
      definitions = DefinitionParser.parse(text, params.keySet());
    } catch (DefinitionException invalid) {
      throw invalid;
    } catch (RuntimeException unreadable) {
      // The parser reports every input problem as a DefinitionException; anything else is still
      // about this input, and a client's input never earns a 500.
      throw new BadRequestException("the body could not be read: " + unreadable.getMessage());
    }
    checkServed(definitions, text);
    return new Submission(definitions, params, text, json);
  }

  /** The {@code ?param.NAME=VALUE} overrides, in the order given. */
  static Map<String, String> params(Map<String, List<String>> query) {
    Map<String, String> params = new LinkedHashMap<>();
    List<ErrorDetail> problems = new ArrayList<>();
    query.forEach(
        (key, values) -> {
          if (!key.startsWith(PARAM_PREFIX)) {
            return;
          }
          String name = key.substring(PARAM_PREFIX.length());
          if (!PARAM_NAME.matcher(name).matches()) {
            problems.add(
                ErrorDetail.at(
                    key, "a parameter name has only letters, digits, '_' and '-': '" + name + "'"));
          } else if (values.size() != 1) {
            problems.add(
                ErrorDetail.at(key, "give each parameter once, not " + values.size() + " times"));
          } else {
            params.put(name, values.get(0));
          }
        });
    if (!problems.isEmpty()) {
      throw new BadRequestException("invalid parameter override", problems);
    }
    return params;
  }

  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String type = contentType.toLowerCase(Locale.ROOT);
    int parameters = type.indexOf(';');
    type = (parameters >= 0 ? type.substring(0, parameters) : type).trim();
    return type.equals("application/json") || type.endsWith("+json");
  }

  /**
   * JSON allows tabs between tokens where YAML does not. Valid JSON has no raw tab inside a string,
   * so replacing each with a blank changes nothing but that, and keeps every line and column.
   */
  static String withoutTabs(String json) {
    return json.replace('\t', ' ');
  }

  /** An executor block no worker serves: where it is, for the problem that names it. */
  private record Unserved(String path, String block, SourceLocator.Key key) {}

  /** The stand-in block name of a cluster that no infrastructure worker would create. */
  private static final String CLUSTER_BLOCK = "cluster";

  private void checkServed(List<Definition> definitions, String text) {
    // Asked once per request: the live workers' answer for every task of this submission.
    Set<ExecutorKind> served = workers.served();
    List<Unserved> unserved = new ArrayList<>();
    for (int d = 0; d < definitions.size(); d++) {
      Definition definition = definitions.get(d);
      String prefix = definitions.size() > 1 ? "documents[" + d + "]." : "";
      for (KindRuns.ExecutorBlock block : RunKind.of(definition).executors(definition)) {
        check(served, block.executor(), d, prefix + block.path(), block.pointer())
            .ifPresent(unserved::add);
      }
      if (definition instanceof ClusterDefinition && !served.contains(ExecutorKind.CONTAINER)) {
        // Clusters are made by the infrastructure worker, the one that serves container tasks.
        unserved.add(
            new Unserved(
                prefix + "spec.provider",
                CLUSTER_BLOCK,
                new SourceLocator.Key(d, JsonPointer.compile("/spec/provider"))));
      }
    }
    if (unserved.isEmpty()) {
      return;
    }
    // One pass over the text finds every block, however many tasks name one.
    Map<SourceLocator.Key, SourceLocator.Position> positions =
        SourceLocator.locateAll(
            text, unserved.stream().map(Unserved::key).collect(Collectors.toSet()));
    List<Problem> problems = new ArrayList<>();
    for (Unserved block : unserved) {
      SourceLocator.Position at =
          positions.getOrDefault(block.key(), new SourceLocator.Position(0, 0));
      problems.add(
          new Problem(block.path(), at.line(), at.column(), unservedMessage(block.block())));
    }
    throw new UnservedExecutorException(problems);
  }

  /**
   * Why a block is refused: {@code simulate} and {@code shell} need a tasks worker that runs them,
   * {@code container} an infrastructure worker with a cluster, {@code gpu} a GPU host in the fleet.
   */
  private static String unservedMessage(String block) {
    if (block.equals(CLUSTER_BLOCK)) {
      return "no infrastructure worker is running: clusters are created by it (start `capstan up`"
          + " with its local infrastructure, or `capstan worker --role infrastructure`; no live"
          + " worker polls task queue "
          + TaskQueues.INFRASTRUCTURE
          + ")";
    }
    ExecutorKind kind = ExecutorKind.valueOf(block.toUpperCase(Locale.ROOT));
    return TaskQueues.forExecutor(kind)
        .map(
            queue ->
                "no worker serves "
                    + block
                    + " tasks: no live worker on task queue "
                    + queue
                    + " runs them ("
                    + (kind == ExecutorKind.CONTAINER
                        ? "start `capstan up` with its local Kubernetes or --kubeconfig PATH, or"
                            + " `capstan worker --role infrastructure --kubeconfig PATH`"
                        : "start one with `capstan worker --role tasks`"
                            + (kind == ExecutorKind.SHELL ? ", without --no-shell" : ""))
                    + ")")
        .orElse(
            "no GPU host is in the GPU fleet: gpu tasks run on leased devices of a GPU host (start"
                + " `capstan up`, whose simulated GPU hosts join the fleet, or `capstan worker"
                + " --role gpu` on a machine with GPUs)");
  }

  private Optional<Unserved> check(
      Set<ExecutorKind> served, Executor executor, int document, String path, String pointer) {
    ExecutorKind kind = executor.executorKind();
    if (served.contains(kind)) {
      return Optional.empty();
    }
    String block = kind.name().toLowerCase(Locale.ROOT);
    return Optional.of(
        new Unserved(
            path + "." + block,
            block,
            new SourceLocator.Key(document, JsonPointer.compile(pointer + "/" + block))));
  }
}
