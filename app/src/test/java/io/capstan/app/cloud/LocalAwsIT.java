package io.capstan.app.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.testkit.Checkout;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceType;

/**
 * The simulated AWS of {@code up}: the checkout's moto ({@code scripts/install-moto.sh}, which
 * {@code ./test.sh} runs), started in a folder of its own, keeping its groups and instances across
 * a restart.
 */
class LocalAwsIT {
  @TempDir Path state;

  @Test
  @DisplayName(
      "a group and its instances survive a restart with the same ids, DNS names and zones; reads"
          + " are not recorded")
  void groupsSurviveRestart() throws Exception {
    Map<String, Instance> before;
    URI firstEndpoint;
    try (LocalAws aws = start()) {
      firstEndpoint = aws.endpoint();
      try (AutoScalingClient autoScaling = aws.client(AutoScalingClient.builder()).build();
          Ec2Client ec2 = aws.client(Ec2Client.builder()).build()) {
        ec2.createLaunchTemplate(
            r ->
                r.launchTemplateName("survivor")
                    .launchTemplateData(
                        d -> d.imageId("ami-12c6146b").instanceType(InstanceType.M5_LARGE)));
        autoScaling.createAutoScalingGroup(
            r ->
                r.autoScalingGroupName("survivor")
                    .launchTemplate(t -> t.launchTemplateName("survivor"))
                    .minSize(0)
                    .maxSize(5)
                    .desiredCapacity(2)
                    .availabilityZones("us-west-2a", "us-west-2b"));
        autoScaling.setDesiredCapacity(r -> r.autoScalingGroupName("survivor").desiredCapacity(3));
        for (int i = 0; i < 20; i++) {
          autoScaling.describeAutoScalingGroups();
          ec2.describeInstances();
        }
        before = running(ec2);
        assertThat(group(autoScaling).instances()).hasSize(3);
      }
    }
    // Three writes; the forty reads left no trace.
    assertThat(Files.readAllLines(state.resolve(LocalAws.RECORDING))).hasSize(3);

    try (LocalAws aws = start();
        AutoScalingClient autoScaling = aws.client(AutoScalingClient.builder()).build();
        Ec2Client ec2 = aws.client(Ec2Client.builder()).build()) {
      AutoScalingGroup group = group(autoScaling);

      assertThat(group.desiredCapacity()).isEqualTo(3);
      assertThat(group.instances())
          .extracting(i -> i.instanceId())
          .containsExactlyInAnyOrderElementsOf(before.keySet());
      Map<String, Instance> after = running(ec2);
      assertThat(after.keySet()).isEqualTo(before.keySet());
      after.forEach(
          (id, instance) -> {
            assertThat(instance.privateDnsName()).isEqualTo(before.get(id).privateDnsName());
            assertThat(instance.placement().availabilityZone())
                .isEqualTo(before.get(id).placement().availabilityZone());
          });
      assertThat(aws.info().endpoint()).isNotNull();
      assertThat(firstEndpoint).isNotNull();
    }
  }

  private LocalAws start() {
    LocalAws aws =
        new LocalAws(new LocalAws.Options(Checkout.root(), state), ready -> {}, info -> {});
    aws.begin();
    LocalAws.Info info =
        await()
            .atMost(Duration.ofSeconds(120))
            .until(
                aws::info,
                i -> i.state() == LocalAws.State.READY || i.state() == LocalAws.State.FAILED);
    assertThat(info.state()).as("%s", info.detail()).isEqualTo(LocalAws.State.READY);
    return aws;
  }

  private static AutoScalingGroup group(AutoScalingClient autoScaling) {
    List<AutoScalingGroup> groups =
        autoScaling
            .describeAutoScalingGroups(r -> r.autoScalingGroupNames("survivor"))
            .autoScalingGroups();
    assertThat(groups).hasSize(1);
    return groups.get(0);
  }

  private static Map<String, Instance> running(Ec2Client ec2) {
    return ec2
        .describeInstances(r -> r.filters(f -> f.name("instance-state-name").values("running")))
        .reservations()
        .stream()
        .flatMap(r -> r.instances().stream())
        .collect(Collectors.toMap(Instance::instanceId, i -> i));
  }
}
