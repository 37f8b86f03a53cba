package io.capstan.activities.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.definitions.ClusterDefinition;
import io.capstan.definitions.DefinitionParser;
import io.capstan.definitions.cluster.NodePoolSpec;
import io.capstan.testkit.MotoServer;
import io.capstan.workflows.cluster.CloudActivities;
import io.capstan.workflows.cluster.CloudInstance;
import io.capstan.workflows.cluster.ClusterRef;
import io.capstan.workflows.cluster.GroupState;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;

/** The cloud activities against a real moto_server, through the real AWS SDK. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Cloud activities against moto")
class CloudActivitiesIT {
  private MotoServer moto;
  private AwsClients clients;
  private TestActivityEnvironment environment;
  private CloudActivities cloud;

  static ClusterDefinition cluster(String name, String provider, String pool) {
    return (ClusterDefinition)
        DefinitionParser.parse(
                """
                apiVersion: capstan.io/v1
                kind: Cluster
                metadata: {name: %s}
                spec:
                  provider: %s
                  region: us-west-2
                  nodePools:
                    - %s
                """
                    .formatted(name, provider, pool))
            .get(0);
  }

  @BeforeAll
  void start() throws Exception {
    moto = MotoServer.start();
    // The default chain reads these for provider aws; moto takes any.
    System.setProperty("aws.accessKeyId", MotoServer.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", MotoServer.ACCESS_KEY);
    clients = new AwsClients(new AwsSettings(moto.endpoint(), moto.endpoint()));
  }

  @AfterAll
  void stop() {
    clients.close();
    moto.close();
  }

  @BeforeEach
  void activities() {
    environment = TestActivityEnvironment.newInstance();
    environment.registerActivitiesImplementations(
        new CloudActivitiesImpl(clients, InstanceTypes.shipped(), Duration.ofMillis(100)));
    cloud = environment.newActivityStub(CloudActivities.class);
  }

  @AfterEach
  void close() {
    environment.close();
  }

  @Test
  @DisplayName(
      "a group pointed at a new launch template version launches new instances from it, and each"
          + " instance reports the version it came from, also after a resize")
  void launchTemplateVersions() {
    ClusterDefinition definition =
        cluster(
            "versions",
            "simulated",
            "{name: web, instanceType: m5.large, minSize: 1, desiredSize: 2, maxSize: 4,"
                + " launchTemplate: {name: versions-node, version: '1'}}");
    ClusterRef ref = ClusterRef.of(definition);
    NodePoolSpec pool = definition.spec().nodePools().get(0);
    GroupState group = cloud.ensureGroup(new CloudActivities.EnsureGroupRequest(ref, pool, 2));
    assertThat(group.instances())
        .extracting(CloudInstance::launchTemplateVersion)
        .containsOnly("1");
    cloud.resize(new CloudActivities.ResizeRequest(ref, group.groupName(), 1, 2, 4));
    cloud.setLaunchTemplate(
        new CloudActivities.SetLaunchTemplateRequest(ref, pool, group.groupName(), "3"));
    GroupState grown =
        cloud.resize(new CloudActivities.ResizeRequest(ref, group.groupName(), 1, 3, 4));
    assertThat(grown.instances())
        .extracting(CloudInstance::launchTemplateVersion)
        .containsExactlyInAnyOrder("1", "1", "3");
    cloud.setLaunchTemplate(
        new CloudActivities.SetLaunchTemplateRequest(ref, pool, group.groupName(), "1"));
    GroupState again =
        cloud.resize(new CloudActivities.ResizeRequest(ref, group.groupName(), 1, 4, 4));
    assertThat(again.instances())
        .extracting(CloudInstance::launchTemplateVersion)
        .containsExactlyInAnyOrder("1", "1", "3", "1");
    var described =
        clients
            .autoscaling(ref)
            .describeAutoScalingGroups(b -> b.autoScalingGroupNames(group.groupName()))
            .autoScalingGroups()
            .get(0);
    assertThat(
            described
                .mixedInstancesPolicy()
                .launchTemplate()
                .launchTemplateSpecification()
                .version())
        .as("the group still says what it launches after resizes")
        .isEqualTo("1");
    cloud.deleteGroup(new CloudActivities.GroupRequest(ref, group.groupName()));
  }

  @Test
  @DisplayName(
      "creating a group again finds the first one; resizing, terminating twice and deleting twice"
          + " do no harm")
  void idempotentByName() {
    ClusterDefinition definition =
        cluster(
            "idem",
            "simulated",
            "{name: web, instanceType: m5.large, minSize: 1, desiredSize: 2, maxSize: 4, spot: {maxPrice: '0.05'}}");
    ClusterRef ref = ClusterRef.of(definition);
    NodePoolSpec pool = definition.spec().nodePools().get(0);

    GroupState first = cloud.ensureGroup(new CloudActivities.EnsureGroupRequest(ref, pool, 2));
    GroupState again = cloud.ensureGroup(new CloudActivities.EnsureGroupRequest(ref, pool, 2));

    assertThat(first.created()).isTrue();
    assertThat(again.created()).isFalse();
    assertThat(again.instances()).hasSize(2);
    GroupState resized =
        cloud.resize(new CloudActivities.ResizeRequest(ref, first.groupName(), 1, 3, 4));
    assertThat(resized.desiredCapacity()).isEqualTo(3);
    String instance = resized.instances().get(0).instanceId();
    assertThat(
            cloud.terminateInstance(
                new CloudActivities.TerminateRequest(ref, first.groupName(), instance, true)))
        .isTrue();
    assertThat(
            cloud.terminateInstance(
                new CloudActivities.TerminateRequest(ref, first.groupName(), instance, true)))
        .isFalse();
    assertThat(
            cloud
                .describe(new CloudActivities.GroupRequest(ref, first.groupName()))
                .desiredCapacity())
        .isEqualTo(2);
    assertThat(cloud.deleteGroup(new CloudActivities.GroupRequest(ref, first.groupName())))
        .isTrue();
    assertThat(cloud.deleteGroup(new CloudActivities.GroupRequest(ref, first.groupName())))
        .isFalse();
    assertThat(cloud.describe(new CloudActivities.GroupRequest(ref, first.groupName()))).isNull();
  }

  @Test
  @DisplayName("a group of the same name that is not this pool's is never adopted")
  void neverAdoptsAStranger() {
    ClusterDefinition definition =
        cluster(
            "stranger", "simulated", "{name: web, instanceType: m5.large, minSize: 1, maxSize: 2}");
    ClusterRef ref = ClusterRef.of(definition);
    // The shared clients stay open: they are the activities' own.
    AutoScalingClient asg = clients.autoscaling(ref);
    clients
        .ec2(ref)
        .createLaunchTemplate(
            b ->
                b.launchTemplateName("someone-elses")
                    .launchTemplateData(d -> d.imageId("ami-12c6146b").instanceType("m5.large")));
    asg.createAutoScalingGroup(
        b ->
            b.autoScalingGroupName(ref.groupName("web"))
                .minSize(0)
                .maxSize(1)
                .launchTemplate(t -> t.launchTemplateName("someone-elses").version("1"))
                .availabilityZones("us-west-2a"));

    assertThatThrownBy(
            () ->
                cloud.ensureGroup(
                    new CloudActivities.EnsureGroupRequest(
                        ref, definition.spec().nodePools().get(0), 1)))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> {
              assertThat(failure.getType()).isEqualTo(CloudActivities.GROUP_CONFLICT);
              assertThat(failure.isNonRetryable()).isTrue();
              assertThat(failure.getOriginalMessage())
                  .contains("exists and is not pool web of cluster default/stranger");
            });
  }

  @Test
  @DisplayName(
      "a request AWS refuses (a launch template that does not exist) fails at once, with AWS's message")
  void refusalIsNotRetried() {
    ClusterDefinition definition =
        cluster(
            "refused",
            "aws",
            "{name: web, instanceType: m5.large, minSize: 1, maxSize: 2, launchTemplate: {name: no-such-template, version: '1'}}");

    assertThatThrownBy(
            () ->
                cloud.ensureGroup(
                    new CloudActivities.EnsureGroupRequest(
                        ClusterRef.of(definition), definition.spec().nodePools().get(0), 1)))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> {
              assertThat(failure.getType()).isEqualTo(CloudActivities.INVALID_REQUEST);
              assertThat(failure.isNonRetryable()).isTrue();
              assertThat(failure.getOriginalMessage())
                  .startsWith("create group capstan.default.refused.web was refused: ")
                  .contains("no-such-template");
            });
  }

  @Test
  @DisplayName(
      "instance types come from the shipped table, and an unknown one is an estimate marked so")
  void instanceTypes() {
    assertThat(cloud.instanceType("p4d.24xlarge").gpus()).isEqualTo(8);
    assertThat(cloud.instanceType("p4d.24xlarge").known()).isTrue();
    assertThat(cloud.instanceType("zz9.huge").known()).isFalse();
  }
}
