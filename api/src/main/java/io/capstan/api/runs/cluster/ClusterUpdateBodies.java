package io.capstan.api.runs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capstan.api.http.ErrorDetail;
import io.capstan.api.http.UnprocessableException;
import io.capstan.definitions.ClusterDefinition;
import io.capstan.definitions.Definition;
import io.capstan.definitions.DefinitionException;
import io.capstan.definitions.DefinitionParser;
import io.capstan.definitions.Problem;
import io.capstan.workflows.cluster.ClusterStatus;
import io.capstan.workflows.cluster.ClusterUpdates;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the JSON body of a cluster's update into its argument, refusing a wrong shape with what to
 * write. A pool to add and autoscaling settings go through the same parser and rules as a Cluster
 * document (they are set inside a document of the cluster's provider and region), so they are
 * checked exactly as thoroughly, and the problems name {@code pool.…} or {@code autoscaling.…}.
 */
public final class ClusterUpdateBodies {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ClusterUpdateBodies() {}

  /**
   * @param body the request's JSON, an object (empty for none)
   * @param cluster the cluster as it is (its provider and region shape the check of a pool)
   */
  public static Object read(String update, JsonNode body, ClusterStatus cluster) {
    ObjectNode object = body == null || body.isNull() ? JSON.createObjectNode() : (ObjectNode) body;
    return switch (update) {
      case ClusterUpdates.SCALE ->
          new ClusterUpdates.Scale(
              text(object, "pool", true),
              integer(object, "desired", true),
              integer(object, "min", false),
              integer(object, "max", false));
      case ClusterUpdates.REMOVE_POOL ->
          new ClusterUpdates.RemovePool(text(object, "pool", true), bool(object, "force"));
      case ClusterUpdates.DELETE -> new ClusterUpdates.Delete(text(object, "reason", false));
      case ClusterUpdates.ADD_POOL -> {
        JsonNode pool = object.get("pool");
        if (pool == null || !pool.isObject()) {
          throw shape(
              "pool",
              "a node pool as in a Cluster's spec.nodePools: {name, instanceType, minSize, maxSize, ...}");
        }
        ObjectNode spec = spec(cluster);
        ((ArrayNode) spec.putArray("nodePools")).add(pool);
        yield new ClusterUpdates.AddPool(
            parse(cluster, spec, "spec.nodePools[0]", "pool").spec().nodePools().get(0));
      }
      case ClusterUpdates.SET_AUTOSCALING -> {
        JsonNode autoscaling = object.get("autoscaling");
        if (autoscaling == null || !autoscaling.isObject()) {
          throw shape(
              "autoscaling",
              "{enabled, minNodes, maxNodes, targetCpuUtilization, targetGpuUtilization, scaleDownDelay}");
        }
        ObjectNode spec = spec(cluster);
        // A stand-in pool as wide as a pool may be: the cluster's own pools are the workflow's to
        // compare against.
        ObjectNode pool = spec.putArray("nodePools").addObject();
        pool.put("name", "any")
            .put("instanceType", "m5.large")
            .put("minSize", 0)
            .put("maxSize", 1000);
        spec.set("autoscaling", autoscaling);
        yield new ClusterUpdates.SetAutoscaling(
            parse(cluster, spec, "spec.autoscaling", "autoscaling").spec().autoscaling());
      }
      default -> throw new IllegalArgumentException("no update " + update);
    };
  }

  private static ObjectNode spec(ClusterStatus cluster) {
    ObjectNode spec = JSON.createObjectNode();
    // A simulated provider: the check is of the pool, not of an AWS launch template's presence.
    spec.put("provider", "simulated".equals(cluster.provider()) ? "simulated" : "aws");
    spec.put("region", cluster.region());
    return spec;
  }

  private static ClusterDefinition parse(
      ClusterStatus cluster, ObjectNode spec, String from, String to) {
    ObjectNode document = JSON.createObjectNode();
    document.put("apiVersion", Definition.API_VERSION);
    document.put("kind", ClusterDefinition.KIND);
    document
        .putObject("metadata")
        .put("name", cluster.name())
        .put("namespace", cluster.namespace());
    document.set("spec", spec);
    try {
      return (ClusterDefinition) DefinitionParser.parse(document.toString()).get(0);
    } catch (DefinitionException invalid) {
      List<ErrorDetail> details = new ArrayList<>();
      for (Problem problem : invalid.problems()) {
        String path = problem.path();
        path =
            path.startsWith(from)
                ? to + path.substring(from.length())
                : path.replaceFirst("^spec\\.", "");
        details.add(ErrorDetail.at(path, problem.message()));
      }
      throw new UnprocessableException("invalid " + to, details);
    }
  }

  private static String text(ObjectNode body, String field, boolean required) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw shape(field, "required: a string");
      }
      return null;
    }
    if (!value.isTextual()) {
      throw shape(
          field, "a string, not " + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    }
    return value.asText();
  }

  private static Boolean bool(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return false;
    }
    if (!value.isBoolean()) {
      throw shape(field, "true or false, not " + value);
    }
    return value.asBoolean();
  }

  private static Integer integer(ObjectNode body, String field, boolean required) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw shape(field, "required: a whole number");
      }
      return null;
    }
    if (!value.canConvertToInt() || !value.isIntegralNumber()) {
      throw shape(field, "a whole number, not " + value);
    }
    return value.asInt();
  }

  private static UnprocessableException shape(String field, String message) {
    return new UnprocessableException(
        "invalid update body", List.of(ErrorDetail.at(field, message)));
  }
}
