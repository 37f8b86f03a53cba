package io.capstan.definitions;

import static io.capstan.definitions.Rejections.located;
import static io.capstan.definitions.Rejections.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.definitions.cluster.AutoscalingSpec;
import io.capstan.definitions.cluster.BudgetAlert;
import io.capstan.definitions.cluster.CloudProvider;
import io.capstan.definitions.cluster.ClusterNetwork;
import io.capstan.definitions.cluster.ClusterSpec;
import io.capstan.definitions.cluster.GpuValidation;
import io.capstan.definitions.cluster.LaunchTemplateRef;
import io.capstan.definitions.cluster.NodePoolSpec;
import io.capstan.definitions.cluster.OnBudget;
import io.capstan.definitions.cluster.PoolSimulation;
import io.capstan.definitions.cluster.SpotSpec;
import io.capstan.definitions.cluster.Taint;
import io.capstan.definitions.cluster.TaintEffect;
import io.capstan.definitions.executor.GpuOp;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Clusters are checked for their pools, provider, labels, autoscaling and budget")
class ClusterValidationTest {
  private static final String HEADER =
      """
      apiVersion: capstan.io/v1
      kind: Cluster
      metadata: {name: c}
      """;

  /** A simulated cluster with one pool, then whatever {@code spec} adds to its spec. */
  private static String simulated(String spec) {
    return HEADER
        + """
        spec:
          provider: simulated
          region: us-west-2
        """
        + spec.indent(2);
  }

  private static ClusterDefinition parse(String yaml) {
    return (ClusterDefinition) DefinitionParser.parse(yaml).get(0);
  }

  @Nested
  @DisplayName("a valid cluster")
  class Valid {
    @Test
    void theSpecClusterBindsEveryFieldIntoTheRecords() {
      ClusterDefinition cluster =
          parse(
              """
              apiVersion: capstan.io/v1
              kind: Cluster
              metadata: {name: production}
              spec:
                provider: aws
                region: us-west-2
                kubernetes: {context: prod}
                network: {subnets: [subnet-1, subnet-2], securityGroups: [sg-123]}
                nodePools:
                  - name: general
                    instanceType: c5.xlarge
                    launchTemplate: {name: k8s-node, version: "3"}
                    minSize: 3
                    maxSize: 10
                    labels: {pool: general, tier: standard}
                    taints: [{key: dedicated, value: gpu, effect: NoSchedule}]
                    zones: [us-west-2a, us-west-2b]
                  - name: gpu
                    instanceType: p4d.24xlarge
                    launchTemplate: {name: k8s-gpu-node, version: 7}
                    minSize: 1
                    desiredSize: 2
                    maxSize: 5
                    spot: {maxPrice: 2.0}
                    gpu: {perNode: 8, validate: {op: burn-in, duration: 60s}}
                autoscaling:
                  enabled: true
                  minNodes: 4
                  maxNodes: 15
                  targetCpuUtilization: 70
                  scaleDownDelay: 5m
                budget:
                  monthlyLimit: 50000.50
                  alerts:
                    - {thresholdPercent: 80, webhook: "https://hooks.example.com/capstan"}
                    - {thresholdPercent: 100}
                  onBudget: pause
                readyTimeout: 20m
              """);

      assertThat(cluster.kind()).isEqualTo(ClusterDefinition.KIND);
      ClusterSpec spec = cluster.spec();
      assertThat(spec.provider()).isEqualTo(CloudProvider.AWS);
      assertThat(spec.region()).isEqualTo("us-west-2");
      assertThat(spec.kubernetes().context()).isEqualTo("prod");
      assertThat(spec.network())
          .isEqualTo(new ClusterNetwork(List.of("subnet-1", "subnet-2"), List.of("sg-123")));
      NodePoolSpec general = spec.pool("general").orElseThrow();
      assertThat(general.instanceType()).isEqualTo("c5.xlarge");
      assertThat(general.launchTemplate()).isEqualTo(new LaunchTemplateRef("k8s-node", "3"));
      assertThat(general.desiredSize()).isEqualTo(3);
      assertThat(general.labels())
          .containsExactly(entry("pool", "general"), entry("tier", "standard"));
      assertThat(general.taints())
          .containsExactly(new Taint("dedicated", "gpu", TaintEffect.NO_SCHEDULE));
      assertThat(general.taints().get(0).effect().wireName()).isEqualTo("NoSchedule");
      assertThat(general.zones()).containsExactly("us-west-2a", "us-west-2b");
      assertThat(general.isGpu()).isFalse();
      assertThat(general.isSpot()).isFalse();
      NodePoolSpec gpu = spec.pool("gpu").orElseThrow();
      assertThat(gpu.launchTemplate().version()).isEqualTo("7");
      assertThat(gpu.desiredSize()).isEqualTo(2);
      assertThat(gpu.isSpot()).isTrue();
      assertThat(gpu.spot().maxPrice()).isEqualTo("2.0");
      assertThat(gpu.isGpu()).isTrue();
      assertThat(gpu.gpu().perNode()).isEqualTo(8);
      assertThat(gpu.gpu().validate())
          .isEqualTo(new GpuValidation(GpuOp.BURN_IN, Duration.ofSeconds(60), null));
      assertThat(gpu.labels()).isEmpty();
      assertThat(gpu.simulate()).isNull();
      assertThat(spec.pool("missing")).isEmpty();
      assertThat(spec.autoscaling())
          .isEqualTo(new AutoscalingSpec(true, 4, 15, 70, 50, Duration.ofMinutes(5)));
      assertThat(spec.budget().monthlyLimit()).isEqualByComparingTo(new BigDecimal("50000.50"));
      assertThat(spec.budget().alerts())
          .containsExactly(
              new BudgetAlert(80, "https://hooks.example.com/capstan"), new BudgetAlert(100, null));
      assertThat(spec.budget().onBudget()).isEqualTo(OnBudget.PAUSE);
      assertThat(spec.readyTimeout()).isEqualTo(Duration.ofMinutes(20));
    }

    @Test
    void whatIsLeftOutTakesItsDefault() {
      ClusterDefinition cluster =
          parse(
              simulated(
                  """
                  nodePools:
                    - {name: gpu, instanceType: g5.xlarge, minSize: 1, maxSize: 2, gpu: {perNode: 1}, simulate: {}}
                  autoscaling: {}
                  budget: {monthlyLimit: 100}
                  """));

      ClusterSpec spec = cluster.spec();
      assertThat(spec.kubernetes()).isNull();
      assertThat(spec.network()).isEqualTo(ClusterNetwork.EMPTY);
      assertThat(spec.network().subnets()).isEmpty();
      assertThat(spec.readyTimeout()).isEqualTo(Duration.ofMinutes(20));
      assertThat(spec.autoscaling())
          .isEqualTo(new AutoscalingSpec(false, null, null, 50, 50, Duration.ofMinutes(10)));
      assertThat(spec.budget().alerts()).isEmpty();
      assertThat(spec.budget().onBudget()).isEqualTo(OnBudget.ALERT);
      NodePoolSpec pool = spec.nodePools().get(0);
      assertThat(pool.launchTemplate()).isNull();
      assertThat(pool.desiredSize()).isEqualTo(1);
      assertThat(pool.labels()).isEmpty();
      assertThat(pool.taints()).isEmpty();
      assertThat(pool.zones()).isEmpty();
      assertThat(pool.isSpot()).isFalse();
      assertThat(pool.gpu().validate())
          .isEqualTo(new GpuValidation(GpuOp.BURN_IN, Duration.ofSeconds(60), null));
      assertThat(pool.simulate())
          .isEqualTo(new PoolSimulation(Duration.ZERO, Duration.ZERO, false, false, List.of()));
    }

    @Test
    void withoutAutoscalingTheClusterKeepsItsPoolsSizes() {
      ClusterSpec spec =
          parse(simulated("nodePools: [{name: a, instanceType: m5.large, minSize: 0, maxSize: 1}]"))
              .spec();

      assertThat(spec.autoscaling()).isEqualTo(AutoscalingSpec.disabled());
      assertThat(spec.autoscaling().enabled()).isFalse();
      assertThat(spec.budget()).isNull();
      assertThat(spec.nodePools().get(0).desiredSize()).isZero();
    }

    @Test
    void aPoolRoundTripsThroughAPlainMapperAsItsBlocksNotAsIsGpuAndIsSpot() throws Exception {
      // Workflows carry the definition through Temporal's own Jackson mapper.
      NodePoolSpec pool =
          new NodePoolSpec(
              "spot",
              "m5.large",
              null,
              1,
              null,
              3,
              null,
              null,
              new SpotSpec("2.0"),
              null,
              null,
              null);
      ObjectMapper mapper = new ObjectMapper();

      String json = mapper.writeValueAsString(pool);

      assertThat(mapper.readTree(json).get("spot").get("maxPrice").asText()).isEqualTo("2.0");
      assertThat(mapper.readTree(json).get("gpu").isNull()).isTrue();
      assertThat(mapper.readValue(json, NodePoolSpec.class)).isEqualTo(pool);
    }

    @Test
    void aLaunchTemplateVersionMayBeANumberLatestOrDefault() {
      ClusterSpec spec =
          parse(
                  simulated(
                      """
                      nodePools:
                        - {name: a, instanceType: m5.large, minSize: 1, maxSize: 1, launchTemplate: {name: t, version: 12}}
                        - {name: b, instanceType: m5.large, minSize: 1, maxSize: 1, launchTemplate: {name: t, version: $Latest}}
                        - {name: c, instanceType: m5.large, minSize: 1, maxSize: 1, launchTemplate: {name: t}}
                      """))
              .spec();

      assertThat(spec.nodePools())
          .extracting(pool -> pool.launchTemplate().version())
          .containsExactly("12", "$Latest", "$Default");
    }
  }

  @Nested
  @DisplayName("node pools")
  class Pools {
    @Test
    void aClusterNeedsItsProviderRegionAndPools() {
      assertThat(messages(HEADER + "spec: {readyTimeout: 5m}\n"))
          .containsExactly(
              "spec.nodePools: required field is missing",
              "spec.provider: required field is missing",
              "spec.region: required field is missing");
      assertThat(messages(simulated("nodePools: []")))
          .containsExactly("spec.nodePools: a cluster needs at least one node pool");
    }

    @Test
    void minSizeAboveMaxSizeIsRefusedWithBothNumbers() {
      assertThat(
              located(
                  simulated(
                      """
                      nodePools:
                        - name: general
                          instanceType: m5.large
                          minSize: 3
                          maxSize: 2
                      """)))
          .containsExactly("10:16 spec.nodePools[0].minSize: minSize 3 is more than maxSize 2");
    }

    @Test
    void aSizeWrittenWithAZeroFractionIsComparedAsTheWholeNumber() {
      assertThat(
              messages(
                  simulated(
                      "nodePools: [{name: a, instanceType: m5.large, minSize: 3.0, maxSize: 2}]")))
          .containsExactly("spec.nodePools[0].minSize: minSize 3 is more than maxSize 2");
    }

    @Test
    void theDesiredSizeIsBetweenMinAndMax() {
      assertThat(
              messages(
                  simulated(
                      """
                      nodePools:
                        - {name: a, instanceType: m5.large, minSize: 2, desiredSize: 1, maxSize: 5}
                        - {name: b, instanceType: m5.large, minSize: 2, desiredSize: 7, maxSize: 5}
                      """)))
          .containsExactly(
              "spec.nodePools[0].desiredSize: desiredSize 1 is less than minSize 2: a pool starts"
                  + " with between minSize and maxSize nodes",
              "spec.nodePools[1].desiredSize: desiredSize 7 is more than maxSize 5: a pool starts"
                  + " with between minSize and maxSize nodes");
    }

    @Test
    void sizesOutsideTheirRangeAreRefusedOnce() {
      assertThat(
              messages(
                  simulated(
                      "nodePools: [{name: a, instanceType: m5.large, minSize: -1, maxSize: 1001}]")))
          .containsExactly(
              "spec.nodePools[0].minSize: -1 is out of range: must be between 0 and 1000",
              "spec.nodePools[0].maxSize: 1001 is out of range: must be between 1 and 1000");
    }

    @Test
    void twoPoolsWithTheSameNameAreRefused() {
      assertThat(
              located(
                  simulated(
                      """
                      nodePools:
                        - {name: gpu, instanceType: p4d.24xlarge, minSize: 1, maxSize: 2}
                        - {name: gpu, instanceType: p5.48xlarge, minSize: 1, maxSize: 2}
                      """)))
          .containsExactly(
              "9:14 spec.nodePools[1].name: 'gpu' is used by spec.nodePools[0] too: pool names"
                  + " are unique");
    }

    @Test
    void poolNamesAreShortDnsLabelsAndInstanceTypesFamilyDotSize() {
      assertThat(
              messages(
                  simulated(
                      """
                      nodePools:
                        - {name: GPU_pool, instanceType: m5.large, minSize: 1, maxSize: 1}
                        - {name: %s, instanceType: m5large, minSize: 1, maxSize: 1}
                      """
                          .formatted("a".repeat(41)))))
          .containsExactly(
              "spec.nodePools[0].name: 'GPU_pool' is not a valid pool name: use lowercase"
                  + " letters, digits and '-', starting and ending with a letter or digit, at most"
                  + " 40 characters",
              "spec.nodePools[1].name: '"
                  + "a".repeat(41)
                  + "' is not a valid pool name: use lowercase letters, digits and '-', starting and"
                  + " ending with a letter or digit, at most 40 characters",
              "spec.nodePools[1].instanceType: 'm5large' is not an instance type: write the"
                  + " family, a dot and the size, like m5.large");
    }

    @Test
    void aLaunchTemplateVersionIsANumberLatestOrDefault() {
      assertThat(
              messages(
                  simulated(
                      """
                      nodePools:
                        - {name: a, instanceType: m5.large, minSize: 1, maxSize: 1, launchTemplate: {name: t, version: latest}}
                        - {name: b, instanceType: m5.large, minSize: 1, maxSize: 1, launchTemplate: {name: t, version: 0}}
                        - {name: c, instanceType: m5.large, minSize: 1, maxSize: 1, launchTemplate: {version: 1}}
                      """)))
          .containsExactly(
              "spec.nodePools[0].launchTemplate.version: 'latest' is not a launch template"
                  + " version: use a version number such as 3, $Latest or $Default",
              "spec.nodePools[1].launchTemplate.version: '0' is not a launch template version:"
                  + " use a version number such as 3, $Latest or $Default",
              "spec.nodePools[2].launchTemplate.name: required field is missing");
    }

    @Test
    void aSpotPriceIsAPositiveDecimal() {
      assertThat(
              messages(
                  simulated(
                      """
                      nodePools:
                        - {name: a, instanceType: m5.large, minSize: 1, maxSize: 1, spot: {maxPrice: 0}}
                        - {name: b, instanceType: m5.large, minSize: 1, maxSize: 1, spot: {maxPrice: cheap}}
                        - {name: c, instanceType: m5.large, minSize: 1, maxSize: 1, spot: {maxPrice: 0.35}}
                      """)))
          .containsExactly(
              "spec.nodePools[0].spot.maxPrice: '0' is not a price: write a positive amount of US"
                  + " dollars per hour, such as \"2.0\"",
              "spec.nodePools[1].spot.maxPrice: 'cheap' is not a price: write a positive amount"
                  + " of US dollars per hour, such as \"2.0\"");
    }

    @Test
    void gpuNodesHaveOneToSixteenGpusAndAreValidatedByANodeCheck() {
      assertThat(
              messages(
                  simulated(
                      """
                      nodePools:
                        - {name: a, instanceType: p4d.24xlarge, minSize: 1, maxSize: 1, gpu: {perNode: 17}}
                        - {name: b, instanceType: p4d.24xlarge, minSize: 1, maxSize: 1, gpu: {perNode: 8, validate: {op: gemm}}}
                        - {name: c, instanceType: p4d.24xlarge, minSize: 1, maxSize: 1, gpu: {perNode: 8, validate: {duration: 0s}}}
                        - {name: d, instanceType: p4d.24xlarge, minSize: 1, maxSize: 1, gpu: {validate: {}}}
                      """)))
          .containsExactly(
              "spec.nodePools[0].gpu.perNode: 17 is out of range: must be between 1 and 16",
              "spec.nodePools[1].gpu.validate.op: 'gemm' measures a workload, not a node:"
                  + " validate GPU nodes with inventory, burn-in or bandwidth",
              "spec.nodePools[2].gpu.validate.duration: '0s' is too short: use a duration above"
                  + " zero",
              "spec.nodePools[3].gpu.perNode: required field is missing");
    }

    @Test
    void zonesAreZonesOfTheRegion() {
      assertThat(
              messages(
                  simulated(
                      """
                      nodePools:
                        - name: a
                          instanceType: m5.large
                          minSize: 1
                          maxSize: 1
                          zones: [us-west-2a, us-east-1a, us-west-2, us-west-20a, us-west-2-lax-1a]
                      """)))
          .containsExactly(
              "spec.nodePools[0].zones[1]: 'us-east-1a' is not in region us-west-2: use one of its"
                  + " zones, such as us-west-2a",
              "spec.nodePools[0].zones[2]: 'us-west-2' is not an availability zone: write the"
                  + " region and the zone's letter, such as us-west-2a",
              "spec.nodePools[0].zones[3]: 'us-west-20a' is not in region us-west-2: use one of"
                  + " its zones, such as us-west-2a");
    }
  }

  @Nested
  @DisplayName("labels and taints")
  class LabelsAndTaints {
    @Test
    void labelKeysUnderKubernetesOwnPrefixesAreRefused() {
      assertThat(
              located(
                  simulated(
                      """
                      nodePools:
                        - name: a
                          instanceType: m5.large
                          minSize: 1
                          maxSize: 1
                          labels:
                            kubernetes.io/role: gpu
                            node-role.kubernetes.io/worker: ""
                            topology.k8s.io/zone: a
                            example.com/team: ml
                      """)))
          .containsExactly(
              "13:9 spec.nodePools[0].labels[\"kubernetes.io/role\"]: 'kubernetes.io/role' is set"
                  + " by Kubernetes: prefixes ending in kubernetes.io or k8s.io are its own; use a"
                  + " prefix of yours, such as example.com/role",
              "14:9 spec.nodePools[0].labels[\"node-role.kubernetes.io/worker\"]:"
                  + " 'node-role.kubernetes.io/worker' is set by Kubernetes: prefixes ending in"
                  + " kubernetes.io or k8s.io are its own; use a prefix of yours, such as"
                  + " example.com/worker",
              "15:9 spec.nodePools[0].labels[\"topology.k8s.io/zone\"]: 'topology.k8s.io/zone' is"
                  + " set by Kubernetes: prefixes ending in kubernetes.io or k8s.io are its own;"
                  + " use a prefix of yours, such as example.com/zone");
    }

    @Test
    void labelKeysAndValuesAreKubernetesNames() {
      assertThat(
              messages(
                  simulated(
                      """
                      nodePools:
                        - name: a
                          instanceType: m5.large
                          minSize: 1
                          maxSize: 1
                          labels: {"my team": ml, "Example.com/tier": a, tier: "high speed", ok: 1}
                      """)))
          .containsExactly(
              "spec.nodePools[0].labels[\"my team\"]: 'my team' is not a valid label key: write a"
                  + " name of at most 63 letters, digits, '-', '_' and '.', starting and ending with"
                  + " a letter or digit, optionally after a prefix and '/', such as"
                  + " example.com/tier",
              "spec.nodePools[0].labels[\"Example.com/tier\"]: 'Example.com/tier' is not a valid"
                  + " label key: its prefix before '/' must be a DNS subdomain such as example.com"
                  + " (lowercase letters, digits, '-' and '.', at most 253 characters)",
              "spec.nodePools[0].labels.tier: 'high speed' is not a valid label value: use at most"
                  + " 63 letters, digits, '-', '_' and '.', starting and ending with a letter or"
                  + " digit, or nothing");
    }

    @Test
    void aTaintEffectIsOneOfTheThreeKubernetesKnows() {
      assertThat(
              messages(
                  simulated(
                      """
                      nodePools:
                        - name: a
                          instanceType: m5.large
                          minSize: 1
                          maxSize: 1
                          taints: [{key: dedicated, value: gpu, effect: NoSchedul}, {key: x}]
                      """)))
          .containsExactly(
              "spec.nodePools[0].taints[0].effect: 'NoSchedul' is not allowed: use NoSchedule,"
                  + " PreferNoSchedule or NoExecute (did you mean 'NoSchedule'?)",
              "spec.nodePools[0].taints[1].effect: required field is missing");
    }

    @Test
    void aTaintIsSetOncePerKeyAndEffect() {
      assertThat(
              messages(
                  simulated(
                      """
                      nodePools:
                        - name: a
                          instanceType: m5.large
                          minSize: 1
                          maxSize: 1
                          taints:
                            - {key: nvidia.com/gpu, value: present, effect: NoSchedule}
                            - {key: nvidia.com/gpu, value: present, effect: NoExecute}
                            - {key: nvidia.com/gpu, value: absent, effect: NoSchedule}
                            - {key: "bad key", value: "-x", effect: NoSchedule}
                      """)))
          .containsExactly(
              "spec.nodePools[0].taints[2]: taint nvidia.com/gpu:NoSchedule is set by"
                  + " spec.nodePools[0].taints[0] too: a node has one taint per key and effect",
              "spec.nodePools[0].taints[3].key: 'bad key' is not a valid taint key: write a name of"
                  + " at most 63 letters, digits, '-', '_' and '.', starting and ending with a"
                  + " letter or digit, optionally after a prefix and '/', such as example.com/tier",
              "spec.nodePools[0].taints[3].value: '-x' is not a valid label value: use at most 63"
                  + " letters, digits, '-', '_' and '.', starting and ending with a letter or"
                  + " digit, or nothing");
    }
  }

  @Nested
  @DisplayName("the provider")
  class Provider {
    private static final String AWS =
        HEADER
            + """
            spec:
              provider: aws
              region: us-west-2
            """;

    @Test
    void anAwsPoolNeedsALaunchTemplate() {
      assertThat(
              located(
                  AWS
                      + """
                        nodePools:
                          - name: general
                            instanceType: m5.large
                            minSize: 1
                            maxSize: 2
                      """))
          .containsExactly(
              "8:7 spec.nodePools[0].launchTemplate: a pool of an aws cluster needs a launch"
                  + " template: add launchTemplate: {name: ..., version: ...}, the EC2 launch"
                  + " template its instances start from");
    }

    @Test
    void onlyASimulatedClusterTakesSimulate() {
      assertThat(
              located(
                  AWS
                      + """
                        nodePools:
                          - name: general
                            instanceType: m5.large
                            launchTemplate: {name: k8s-node}
                            minSize: 1
                            maxSize: 2
                            simulate: {bootDelay: 2s}
                      """))
          .containsExactly(
              "13:7 spec.nodePools[0].simulate: only a simulated cluster takes simulate: remove it"
                  + " or set spec.provider: simulated");
    }

    @Test
    void anAwsClusterNamesItsSubnetsAndSecurityGroupsById() {
      assertThat(
              messages(
                  AWS
                      + """
                        network: {subnets: [subnet-0a1b, private-a], securityGroups: [sg-12, nodes]}
                        nodePools:
                          - {name: a, instanceType: m5.large, launchTemplate: {name: t}, minSize: 1, maxSize: 1}
                      """))
          .containsExactly(
              "spec.network.subnets[1]: 'private-a' is not a subnet id: write subnet- and"
                  + " hexadecimal digits, such as subnet-0a1b2c3d",
              "spec.network.securityGroups[1]: 'nodes' is not a security group id: write sg- and"
                  + " hexadecimal digits, such as sg-0a1b2c3d");
    }

    @Test
    void aSimulatedClusterNeedsNoLaunchTemplateNorAwsIds() {
      assertThat(
              parse(
                      simulated(
                          """
                          network: {subnets: [private-a], securityGroups: [nodes]}
                          nodePools:
                            - name: a
                              instanceType: m5.large
                              minSize: 1
                              maxSize: 1
                              simulate: {bootDelay: 1s, readyDelay: 500ms, neverReady: true, zonesOutOfCapacity: [us-west-2b]}
                          """))
                  .spec()
                  .nodePools()
                  .get(0)
                  .simulate())
          .isEqualTo(
              new PoolSimulation(
                  Duration.ofSeconds(1),
                  Duration.ofMillis(500),
                  false,
                  true,
                  List.of("us-west-2b")));
    }

    @Test
    void theProviderAndRegionAreSpelledAsAwsDoes() {
      assertThat(
              messages(
                  HEADER
                      + """
                      spec:
                        provider: AWS
                        region: uswest2
                        nodePools: [{name: a, instanceType: m5.large, minSize: 1, maxSize: 1}]
                      """))
          .containsExactly(
              "spec.provider: 'AWS' is not allowed: use aws or simulated (did you mean 'aws'?)",
              "spec.region: 'uswest2' is not an AWS region: write it like us-west-2");
    }

    @Test
    void governmentAndIsolatedRegionsAreRegions() {
      for (String region : List.of("eu-central-1", "us-gov-west-1", "us-isob-east-1")) {
        assertThat(
                parse(
                        HEADER
                            + "spec: {provider: simulated, region: "
                            + region
                            + ", nodePools: [{name: a, instanceType: m5.large, minSize: 1,"
                            + " maxSize: 1}]}\n")
                    .spec()
                    .region())
            .isEqualTo(region);
      }
    }

    @Test
    void zonesOutOfCapacityAreZonesOfTheRegion() {
      assertThat(
              messages(
                  simulated(
                      """
                      nodePools:
                        - name: a
                          instanceType: m5.large
                          minSize: 1
                          maxSize: 1
                          simulate: {zonesOutOfCapacity: [eu-west-1a]}
                      """)))
          .containsExactly(
              "spec.nodePools[0].simulate.zonesOutOfCapacity[0]: 'eu-west-1a' is not in region"
                  + " us-west-2: use one of its zones, such as us-west-2a");
    }
  }

  @Nested
  @DisplayName("autoscaling, budget and timeout")
  class Bounds {
    private static final String POOLS =
        """
        nodePools:
          - {name: general, instanceType: m5.large, minSize: 2, maxSize: 5}
          - {name: gpu, instanceType: p4d.24xlarge, minSize: 1, maxSize: 3}
        """;

    @Test
    void maxNodesLeavesRoomForEveryPoolsMinSize() {
      assertThat(messages(simulated(POOLS + "autoscaling: {enabled: true, maxNodes: 2}")))
          .containsExactly(
              "spec.autoscaling.maxNodes: maxNodes 2 is less than the pools' minSize, 3 in all"
                  + " (general 2, gpu 1): raise maxNodes or lower a pool's minSize");
    }

    @Test
    void minNodesAsksNoMoreThanThePoolsMaxSizeAllow() {
      assertThat(messages(simulated(POOLS + "autoscaling: {enabled: true, minNodes: 9}")))
          .containsExactly(
              "spec.autoscaling.minNodes: minNodes 9 is more than the pools' maxSize, 8 in all"
                  + " (general 5, gpu 3): lower minNodes or raise a pool's maxSize");
    }

    @Test
    void minNodesIsNotAboveMaxNodesAndTargetsArePercentages() {
      assertThat(
              messages(
                  simulated(
                      POOLS
                          + """
                          autoscaling:
                            enabled: true
                            minNodes: 6
                            maxNodes: 4
                            targetCpuUtilization: 0
                            targetGpuUtilization: 101
                            scaleDownDelay: 0s
                          """)))
          .containsExactly(
              "spec.autoscaling.minNodes: minNodes 6 is more than maxNodes 4",
              "spec.autoscaling.targetCpuUtilization: 0 is out of range: must be between 1 and"
                  + " 100",
              "spec.autoscaling.targetGpuUtilization: 101 is out of range: must be between 1 and"
                  + " 100",
              "spec.autoscaling.scaleDownDelay: '0s' is too short: use a duration above zero");
    }

    @Test
    void eachBudgetThresholdAlertsOnce() {
      assertThat(
              located(
                  simulated(
                      POOLS
                          + """
                          budget:
                            monthlyLimit: 1000
                            alerts:
                              - {thresholdPercent: 80}
                              - {thresholdPercent: 80, webhook: "https://hooks.example.com/b"}
                          """)))
          .containsExactly(
              "14:28 spec.budget.alerts[1].thresholdPercent: 80 is used by spec.budget.alerts[0]"
                  + " too: each threshold alerts once");
    }

    @Test
    void aBudgetHasAPositiveLimitPercentThresholdsAndWebUrls() {
      assertThat(
              messages(
                  simulated(
                      POOLS
                          + """
                          budget:
                            monthlyLimit: 0
                            alerts:
                              - {thresholdPercent: 0}
                              - {thresholdPercent: 1001, webhook: hooks.example.com/b}
                              - {thresholdPercent: 50, webhook: "ftp://hooks.example.com/b"}
                            onBudget: stop
                          """)))
          .containsExactly(
              "spec.budget.monthlyLimit: 0 is out of range: must be above 0 and at most"
                  + " 1000000000000",
              "spec.budget.alerts[0].thresholdPercent: 0 is out of range: must be between 1 and"
                  + " 1000",
              "spec.budget.alerts[1].thresholdPercent: 1001 is out of range: must be between 1"
                  + " and 1000",
              "spec.budget.alerts[1].webhook: 'hooks.example.com/b' is not a webhook URL: write an"
                  + " absolute http:// or https:// URL, such as https://hooks.example.com/capstan",
              "spec.budget.alerts[2].webhook: 'ftp://hooks.example.com/b' is not a webhook URL:"
                  + " write an absolute http:// or https:// URL, such as"
                  + " https://hooks.example.com/capstan",
              "spec.budget.onBudget: 'stop' is not allowed: use alert or pause");
    }

    @Test
    void theReadyTimeoutIsPositiveAndAtMostADay() {
      assertThat(messages(simulated(POOLS + "readyTimeout: 0s")))
          .containsExactly("spec.readyTimeout: '0s' is too short: use a duration above zero");
      assertThat(messages(simulated(POOLS + "readyTimeout: 25h")))
          .containsExactly(
              "spec.readyTimeout: '25h' is too long: a cluster gets at most 1d to become ready");
      assertThat(messages(simulated(POOLS + "readyTimeout: soon")))
          .containsExactly(
              "spec.readyTimeout: 'soon' is not a duration: use 500ms, 10s, 5m, 2h, 1d or"
                  + " ISO-8601 like PT5M");
    }
  }

  @Test
  void anUnknownFieldIsRefusedWhereItIsWrittenWithTheNearestName() {
    assertThat(
            located(
                simulated(
                    """
                    nodePools:
                      - name: general
                        instanceType: m5.large
                        minSize: 1
                        maxSize: 2
                        minSise: 1
                    autoscalling: {enabled: true}
                    """)))
        .containsExactly(
            "12:7 spec.nodePools[0].minSise: unknown field (did you mean 'minSize'?)",
            "13:3 spec.autoscalling: unknown field (did you mean 'autoscaling'?)");
  }

  @Test
  void everyProblemOfAClusterIsReportedAtOnceInTheOrderWritten() {
    DefinitionException refused =
        Rejections.of(
            """
            apiVersion: capstan.io/v1
            kind: Cluster
            metadata: {name: production}
            spec:
              provider: aws
              region: uswest2
              nodePools:
                - name: general
                  instanceType: m5.large
                  minSize: 3
                  maxSize: 2
                  labels: {kubernetes.io/role: general}
                - name: general
                  instanceType: p4d.24xlarge
                  launchTemplate: {name: gpu-node}
                  minSize: 1
                  maxSize: 2
                  taints: [{key: nvidia.com/gpu, effect: NoSchedul}]
                  simulate: {neverReady: true}
              budget: {monthlyLimit: 100, alerts: [{thresholdPercent: 50}, {thresholdPercent: 50}]}
              readyTimeout: 2d
            """);

    assertThat(refused.error()).isEqualTo("the definition has 9 problems");
    assertThat(refused.problems())
        .extracting(p -> p.line() + ":" + p.column() + " " + p.path() + ": " + p.message())
        .containsExactly(
            "6:11 spec.region: 'uswest2' is not an AWS region: write it like us-west-2",
            "8:7 spec.nodePools[0].launchTemplate: a pool of an aws cluster needs a launch"
                + " template: add launchTemplate: {name: ..., version: ...}, the EC2 launch"
                + " template its instances start from",
            "10:16 spec.nodePools[0].minSize: minSize 3 is more than maxSize 2",
            "12:16 spec.nodePools[0].labels[\"kubernetes.io/role\"]: 'kubernetes.io/role' is set"
                + " by Kubernetes: prefixes ending in kubernetes.io or k8s.io are its own; use a"
                + " prefix of yours, such as example.com/role",
            "13:13 spec.nodePools[1].name: 'general' is used by spec.nodePools[0] too: pool names"
                + " are unique",
            "18:46 spec.nodePools[1].taints[0].effect: 'NoSchedul' is not allowed: use"
                + " NoSchedule, PreferNoSchedule or NoExecute (did you mean 'NoSchedule'?)",
            "19:7 spec.nodePools[1].simulate: only a simulated cluster takes simulate: remove it"
                + " or set spec.provider: simulated",
            "20:83 spec.budget.alerts[1].thresholdPercent: 50 is used by spec.budget.alerts[0]"
                + " too: each threshold alerts once",
            "21:17 spec.readyTimeout: '2d' is too long: a cluster gets at most 1d to become"
                + " ready");
  }
}
