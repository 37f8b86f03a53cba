package io.capstan.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.definitions.cluster.KubernetesNames;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The rules of a cluster that its schema cannot express: pool names unique, each pool's sizes in
 * order ({@code minSize <= desiredSize <= maxSize}), what the provider needs or refuses (a launch
 * template and AWS ids with {@code aws}, {@code simulate} only with {@code simulated}), Kubernetes
 * label and taint names, zones in the region, autoscaling bounds the pools can meet, unique budget
 * thresholds and webhook URLs, and durations. Like every rule, each looks only at values of the
 * right type and leaves type and range errors to the schema.
 */
final class ClusterRules {
  /** The longest a cluster may take to become ready. */
  static final Duration LONGEST_READY_TIMEOUT = Duration.ofHours(24);

  private static final Pattern REGION =
      Pattern.compile("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$");
  private static final Pattern ZONE_SUFFIX = Pattern.compile("^(-[a-z0-9-]+)?[a-z]$");
  private static final Pattern SUBNET = Pattern.compile("^subnet-[0-9a-f]{1,32}$");
  private static final Pattern SECURITY_GROUP = Pattern.compile("^sg-[0-9a-f]{1,32}$");
  private static final int MAX_POOL_SIZE = 1000;
  private static final int MAX_NODES = 100_000;
  private static final int MAX_THRESHOLD = 1000;

  /** A pool's sizes, when each was written as a number in its range. */
  private record Sizes(String name, int min, int max) {}

  private final SourceDocument source;
  private final List<Problem> problems;
  private final boolean aws;

  /** The region when it is well formed, else null: zones are checked against it. */
  private final String region;

  private ClusterRules(SourceDocument source, JsonNode spec, List<Problem> problems) {
    this.source = source;
    this.problems = problems;
    this.aws = "aws".equals(spec.path("provider").textValue());
    JsonNode regionNode = spec.path("region");
    this.region =
        regionNode.isTextual() && REGION.matcher(regionNode.asText()).matches()
            ? regionNode.asText()
            : null;
  }

  static void check(
      SourceDocument source, JsonNode spec, NodePath specPath, List<Problem> problems) {
    ClusterRules rules = new ClusterRules(source, spec, problems);
    if (rules.aws) {
      rules.network(spec.path("network"), specPath.field("network"));
    }
    List<Sizes> sizes = rules.pools(spec.path("nodePools"), specPath.field("nodePools"));
    rules.autoscaling(spec.path("autoscaling"), specPath.field("autoscaling"), sizes);
    rules.budget(spec.path("budget"), specPath.field("budget"));
    Duration ready =
        DefinitionRules.duration(source, spec, specPath, "readyTimeout", true, problems);
    if (ready != null && ready.compareTo(LONGEST_READY_TIMEOUT) > 0) {
      problems.add(
          source.problem(
              specPath.field("readyTimeout"),
              "'"
                  + spec.get("readyTimeout").asText()
                  + "' is too long: a cluster gets at most "
                  + Durations.format(LONGEST_READY_TIMEOUT)
                  + " to become ready"));
    }
  }

  private void network(JsonNode network, NodePath path) {
    ids(
        network.path("subnets"),
        path.field("subnets"),
        SUBNET,
        "a subnet id: write subnet- and hexadecimal digits, such as subnet-0a1b2c3d");
    ids(
        network.path("securityGroups"),
        path.field("securityGroups"),
        SECURITY_GROUP,
        "a security group id: write sg- and hexadecimal digits, such as sg-0a1b2c3d");
  }

  private void ids(JsonNode list, NodePath path, Pattern form, String what) {
    for (int i = 0; list.isArray() && i < list.size(); i++) {
      JsonNode id = list.get(i);
      if (id.isTextual() && !form.matcher(id.asText()).matches()) {
        problems.add(source.problem(path.index(i), quoted(id.asText()) + " is not " + what));
      }
    }
  }

  /**
   * Checks every pool and returns their sizes, or null when a pool's sizes are not all known (so
   * totals over the pools would be wrong).
   */
  private List<Sizes> pools(JsonNode pools, NodePath path) {
    if (!pools.isArray()) {
      return null;
    }
    Map<String, NodePath> names = new HashMap<>();
    List<Sizes> sizes = new ArrayList<>();
    for (int i = 0; i < pools.size(); i++) {
      JsonNode pool = pools.get(i);
      if (!pool.isObject()) {
        sizes = null;
        continue;
      }
      NodePath poolPath = path.index(i);
      JsonNode name = pool.path("name");
      if (name.isTextual()) {
        NodePath first = names.putIfAbsent(name.asText(), poolPath);
        if (first != null) {
          problems.add(
              source.problem(
                  poolPath.field("name"),
                  quoted(name.asText()) + " is used by " + first + " too: pool names are unique"));
        }
      }
      Sizes poolSizes = sizes(pool, poolPath, name.asText(""));
      if (sizes != null && poolSizes != null) {
        sizes.add(poolSizes);
      } else {
        sizes = null;
      }
      if (aws && !pool.has("launchTemplate")) {
        problems.add(
            source.problem(
                poolPath.field("launchTemplate"),
                "a pool of an aws cluster needs a launch template: add launchTemplate: {name:"
                    + " ..., version: ...}, the EC2 launch template its instances start from"));
      }
      labels(pool.path("labels"), poolPath.field("labels"));
      taints(pool.path("taints"), poolPath.field("taints"));
      gpu(pool.path("gpu"), poolPath.field("gpu"));
      zones(pool.path("zones"), poolPath.field("zones"));
      simulate(pool, poolPath);
    }
    return sizes;
  }

  /** Checks {@code minSize <= desiredSize <= maxSize}; the sizes, or null when one is unknown. */
  private Sizes sizes(JsonNode pool, NodePath path, String name) {
    Integer min = count(pool.path("minSize"), 0, MAX_POOL_SIZE);
    Integer max = count(pool.path("maxSize"), 1, MAX_POOL_SIZE);
    Integer desired = count(pool.path("desiredSize"), 0, MAX_POOL_SIZE);
    if (min != null && max != null && min > max) {
      problems.add(
          source.problem(path.field("minSize"), "minSize " + min + " is more than maxSize " + max));
      return null;
    }
    String between = ": a pool starts with between minSize and maxSize nodes";
    if (desired != null && min != null && desired < min) {
      problems.add(
          source.problem(
              path.field("desiredSize"),
              "desiredSize " + desired + " is less than minSize " + min + between));
    } else if (desired != null && max != null && desired > max) {
      problems.add(
          source.problem(
              path.field("desiredSize"),
              "desiredSize " + desired + " is more than maxSize " + max + between));
    }
    return min != null && max != null ? new Sizes(name, min, max) : null;
  }

  private void labels(JsonNode labels, NodePath path) {
    if (!labels.isObject()) {
      return;
    }
    labels
        .fields()
        .forEachRemaining(
            label -> {
              NodePath at = path.field(label.getKey());
              KubernetesNames.labelKeyProblem(label.getKey())
                  .ifPresent(p -> problems.add(source.keyProblem(at, p)));
              if (label.getValue().isTextual()) {
                KubernetesNames.valueProblem(label.getValue().asText())
                    .ifPresent(p -> problems.add(source.problem(at, p)));
              }
            });
  }

  private void taints(JsonNode taints, NodePath path) {
    Map<String, NodePath> seen = new HashMap<>();
    for (int i = 0; taints.isArray() && i < taints.size(); i++) {
      JsonNode taint = taints.get(i);
      NodePath taintPath = path.index(i);
      JsonNode key = taint.path("key");
      if (key.isTextual()) {
        KubernetesNames.taintKeyProblem(key.asText())
            .ifPresent(p -> problems.add(source.problem(taintPath.field("key"), p)));
      }
      JsonNode value = taint.path("value");
      if (value.isTextual()) {
        KubernetesNames.valueProblem(value.asText())
            .ifPresent(p -> problems.add(source.problem(taintPath.field("value"), p)));
      }
      JsonNode effect = taint.path("effect");
      if (key.isTextual() && effect.isTextual()) {
        String both = key.asText() + ":" + effect.asText();
        NodePath first = seen.putIfAbsent(both, taintPath);
        if (first != null) {
          problems.add(
              source.problem(
                  taintPath,
                  "taint "
                      + both
                      + " is set by "
                      + first
                      + " too: a node has one taint per key and effect"));
        }
      }
    }
  }

  private void gpu(JsonNode gpu, NodePath path) {
    JsonNode validate = gpu.path("validate");
    if (!validate.isObject()) {
      return;
    }
    NodePath validatePath = path.field("validate");
    if ("gemm".equals(validate.path("op").textValue())) {
      problems.add(
          source.problem(
              validatePath.field("op"),
              "'gemm' measures a workload, not a node: validate GPU nodes with inventory, burn-in"
                  + " or bandwidth"));
    }
    DefinitionRules.duration(source, validate, validatePath, "duration", true, problems);
  }

  private void zones(JsonNode zones, NodePath path) {
    for (int i = 0; zones.isArray() && i < zones.size(); i++) {
      JsonNode zone = zones.get(i);
      if (zone.isTextual() && region != null) {
        NodePath at = path.index(i);
        zoneProblem(zone.asText()).ifPresent(p -> problems.add(source.problem(at, p)));
      }
    }
  }

  /** What is wrong with {@code zone} as an availability zone of the region; empty when fine. */
  private Optional<String> zoneProblem(String zone) {
    String rest = zone.startsWith(region) ? zone.substring(region.length()) : null;
    if (rest == null || (!rest.isEmpty() && !rest.startsWith("-") && !isLetter(rest.charAt(0)))) {
      return Optional.of(
          quoted(zone)
              + " is not in region "
              + region
              + ": use one of its zones, such as "
              + region
              + "a");
    }
    if (!ZONE_SUFFIX.matcher(rest).matches()) {
      return Optional.of(
          quoted(zone)
              + " is not an availability zone: write the region and the zone's letter,"
              + " such as "
              + region
              + "a");
    }
    return Optional.empty();
  }

  private void simulate(JsonNode pool, NodePath poolPath) {
    JsonNode simulate = pool.path("simulate");
    if (simulate.isMissingNode()) {
      return;
    }
    NodePath path = poolPath.field("simulate");
    if (aws) {
      problems.add(
          source.keyProblem(
              path,
              "only a simulated cluster takes simulate: remove it or set spec.provider:"
                  + " simulated"));
    }
    if (!simulate.isObject()) {
      return;
    }
    DefinitionRules.duration(source, simulate, path, "bootDelay", false, problems);
    DefinitionRules.duration(source, simulate, path, "readyDelay", false, problems);
    zones(simulate.path("zonesOutOfCapacity"), path.field("zonesOutOfCapacity"));
  }

  /**
   * Checks that the bounds are in order and that the pools can meet them: {@code maxNodes} leaves
   * room for every pool's minSize, and {@code minNodes} asks no more than their maxSize allow.
   */
  private void autoscaling(JsonNode autoscaling, NodePath path, List<Sizes> sizes) {
    if (!autoscaling.isObject()) {
      return;
    }
    Integer min = count(autoscaling.path("minNodes"), 0, MAX_NODES);
    Integer max = count(autoscaling.path("maxNodes"), 1, MAX_NODES);
    if (min != null && max != null && min > max) {
      problems.add(
          source.problem(
              path.field("minNodes"), "minNodes " + min + " is more than maxNodes " + max));
    } else if (sizes != null && !sizes.isEmpty()) {
      int smallest = sizes.stream().mapToInt(Sizes::min).sum();
      int largest = sizes.stream().mapToInt(Sizes::max).sum();
      if (max != null && max < smallest) {
        problems.add(
            source.problem(
                path.field("maxNodes"),
                "maxNodes "
                    + max
                    + " is less than the pools' minSize, "
                    + smallest
                    + " in all ("
                    + each(sizes, Sizes::min)
                    + "): raise maxNodes or lower a pool's minSize"));
      }
      if (min != null && min > largest) {
        problems.add(
            source.problem(
                path.field("minNodes"),
                "minNodes "
                    + min
                    + " is more than the pools' maxSize, "
                    + largest
                    + " in all ("
                    + each(sizes, Sizes::max)
                    + "): lower minNodes or raise a pool's maxSize"));
      }
    }
    DefinitionRules.duration(source, autoscaling, path, "scaleDownDelay", true, problems);
  }

  private void budget(JsonNode budget, NodePath path) {
    if (!budget.isObject()) {
      return;
    }
    JsonNode alerts = budget.path("alerts");
    Map<Integer, NodePath> thresholds = new HashMap<>();
    for (int i = 0; alerts.isArray() && i < alerts.size(); i++) {
      JsonNode alert = alerts.get(i);
      NodePath alertPath = path.field("alerts").index(i);
      Integer threshold = count(alert.path("thresholdPercent"), 1, MAX_THRESHOLD);
      if (threshold != null) {
        NodePath first = thresholds.putIfAbsent(threshold, alertPath);
        if (first != null) {
          problems.add(
              source.problem(
                  alertPath.field("thresholdPercent"),
                  threshold + " is used by " + first + " too: each threshold alerts once"));
        }
      }
      JsonNode webhook = alert.path("webhook");
      if (webhook.isTextual() && !webhook.asText().isEmpty() && !isWebUrl(webhook.asText())) {
        problems.add(
            source.problem(
                alertPath.field("webhook"),
                quoted(webhook.asText())
                    + " is not a webhook URL: write an absolute http:// or https:// URL, such as"
                    + " https://hooks.example.com/capstan"));
      }
    }
  }

  private static boolean isWebUrl(String text) {
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https"))
          && uri.getHost() != null
          && !uri.getHost().isEmpty();
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /**
   * A whole number from {@code least} to {@code most} ({@code 2.0} included, as the schema and the
   * binding take it), else null: the schema reports the others, and comparing them too would say
   * the same thing twice.
   */
  private static Integer count(JsonNode node, int least, int most) {
    if (!node.isNumber() || !node.canConvertToExactIntegral() || !node.canConvertToInt()) {
      return null;
    }
    int value = node.intValue();
    return value < least || value > most ? null : value;
  }

  private static String each(List<Sizes> sizes, Function<Sizes, Integer> size) {
    List<String> parts = new ArrayList<>();
    for (Sizes pool : sizes) {
      parts.add(pool.name() + " " + size.apply(pool));
    }
    return String.join(", ", parts);
  }

  private static boolean isLetter(char c) {
    return c >= 'a' && c <= 'z';
  }

  private static String quoted(String text) {
    return "'" + (text.length() > 80 ? text.substring(0, 77) + "..." : text) + "'";
  }
}
