package io.capstan.api.runs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.api.http.UnprocessableException;
import io.capstan.workflows.cluster.ClusterPhase;
import io.capstan.workflows.cluster.ClusterStatus;
import io.capstan.workflows.cluster.ClusterUpdates;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A cluster update's body")
class ClusterUpdateBodiesTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final ClusterStatus CLUSTER =
      new ClusterStatus(
          "team-a",
          "prod",
          ClusterPhase.Ready,
          "simulated",
          "us-west-2",
          Map.of(),
          null,
          List.of(),
          null,
          null,
          List.of(),
          List.of(),
          null);

  static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  static List<String> problems(String update, String body) {
    try {
      ClusterUpdateBodies.read(update, json(body), CLUSTER);
    } catch (UnprocessableException e) {
      return e.details().stream().map(d -> d.path() + ": " + d.message()).toList();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("accepted: " + body);
  }

  @Test
  @DisplayName("scale takes {pool, desired, min?, max?} and says which field is wrong")
  void scale() throws Exception {
    assertThat(
            ClusterUpdateBodies.read(
                "scale", json("{\"pool\":\"gpu\",\"desired\":3,\"max\":5}"), CLUSTER))
        .isEqualTo(new ClusterUpdates.Scale("gpu", 3, null, 5));
    assertThat(problems("scale", "{\"pool\":\"gpu\"}"))
        .containsExactly("desired: required: a whole number");
    assertThat(problems("scale", "{\"pool\":\"gpu\",\"desired\":\"3\"}"))
        .containsExactly("desired: a whole number, not \"3\"");
    assertThat(problems("scale", "{\"pool\":7,\"desired\":1}"))
        .containsExactly("pool: a string, not number");
  }

  @Test
  @DisplayName("a pool to add is checked by the definitions' own rules, every problem at once")
  void addPool() throws Exception {
    ClusterUpdates.AddPool added =
        (ClusterUpdates.AddPool)
            ClusterUpdateBodies.read(
                "addPool",
                json(
                    "{\"pool\":{\"name\":\"batch\",\"instanceType\":\"m5.large\",\"minSize\":1,\"maxSize\":3}}"),
                CLUSTER);
    assertThat(added.pool().name()).isEqualTo("batch");
    assertThat(added.pool().desiredSize()).isEqualTo(1);

    assertThat(
            problems(
                "addPool",
                "{\"pool\":{\"name\":\"Batch\",\"instanceType\":\"m5.large\",\"minSize\":4,\"maxSize\":3,"
                    + "\"taints\":[{\"key\":\"a\",\"effect\":\"Never\"}]}}"))
        .anySatisfy(p -> assertThat(p).startsWith("pool.name"))
        .anySatisfy(p -> assertThat(p).startsWith("pool.taints[0].effect"))
        .anySatisfy(
            p -> assertThat(p).startsWith("pool").contains("minSize 4 is more than maxSize 3"));
    assertThat(problems("addPool", "{}"))
        .containsExactly(
            "pool: a node pool as in a Cluster's spec.nodePools: {name, instanceType, minSize, maxSize, ...}");
  }

  @Test
  @DisplayName("autoscaling settings are checked like a Cluster's")
  void setAutoscaling() throws Exception {
    ClusterUpdates.SetAutoscaling set =
        (ClusterUpdates.SetAutoscaling)
            ClusterUpdateBodies.read(
                "setAutoscaling",
                json(
                    "{\"autoscaling\":{\"enabled\":true,\"maxNodes\":9,\"scaleDownDelay\":\"5m\"}}"),
                CLUSTER);
    assertThat(set.autoscaling().scaleDownDelay()).isEqualTo(Duration.ofMinutes(5));
    assertThat(problems("setAutoscaling", "{\"autoscaling\":{\"minNodes\":5,\"maxNodes\":2}}"))
        .anySatisfy(p -> assertThat(p).startsWith("autoscaling").contains("5").contains("2"));
  }

  @Test
  @DisplayName("delete and removePool take what they need")
  void deleteAndRemove() throws Exception {
    assertThat(ClusterUpdateBodies.read("delete", null, CLUSTER))
        .isEqualTo(new ClusterUpdates.Delete(null));
    assertThat(problems("removePool", "{}")).containsExactly("pool: required: a string");
    assertThat(
            ClusterUpdateBodies.read(
                "removePool", json("{\"pool\":\"gpu\",\"force\":true}"), CLUSTER))
        .isEqualTo(new ClusterUpdates.RemovePool("gpu", true));
    assertThat(problems("removePool", "{\"pool\":\"gpu\",\"force\":\"yes\"}"))
        .containsExactly("force: true or false, not \"yes\"");
  }
}
