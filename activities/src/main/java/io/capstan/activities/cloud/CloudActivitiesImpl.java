package io.capstan.activities.cloud;

import io.capstan.definitions.Durations;
import io.capstan.definitions.cluster.NodePoolSpec;
import io.capstan.definitions.cluster.PoolSimulation;
import io.capstan.workflows.cluster.CloudActivities;
import io.capstan.workflows.cluster.CloudInstance;
import io.capstan.workflows.cluster.ClusterRef;
import io.capstan.workflows.cluster.GroupState;
import io.capstan.workflows.cluster.InstanceTypeInfo;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AlreadyExistsException;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.Instance;
import software.amazon.awssdk.services.autoscaling.model.InstancesDistribution;
import software.amazon.awssdk.services.autoscaling.model.LaunchTemplate;
import software.amazon.awssdk.services.autoscaling.model.LaunchTemplateOverrides;
import software.amazon.awssdk.services.autoscaling.model.LaunchTemplateSpecification;
import software.amazon.awssdk.services.autoscaling.model.MixedInstancesPolicy;
import software.amazon.awssdk.services.autoscaling.model.Tag;
import software.amazon.awssdk.services.autoscaling.model.TagDescription;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * {@link CloudActivities} through the AWS SDK v2: one Auto Scaling group per pool, named and tagged
 * so that every call can find what an earlier attempt made. Pools always launch through a mixed
 * instances policy whose override pins the pool's instance type; a {@code spot} pool buys all of
 * its capacity on the spot market (price-capacity-optimized, capped at {@code maxPrice} when set).
 *
 * <p>For a simulated cluster the activities also play the account's administrator: they create the
 * launch template the pool names when it is missing (with as many versions as it asks for), tagged
 * as Capstan's, and delete it once no group uses it; and they tag the group with the pool's failure
 * injection, which the simulated cloud's node linker reads.
 */
public final class CloudActivitiesImpl implements CloudActivities {
  public static final String CLUSTER_TAG = "capstan.io/cluster";
  public static final String POOL_TAG = "capstan.io/pool";
  public static final String SPOT_TAG = "capstan.io/spot";
  public static final String GPU_TAG = "capstan.io/gpu-per-node";
  public static final String BOOT_DELAY_TAG = "capstan.io/sim-boot-delay";
  public static final String READY_DELAY_TAG = "capstan.io/sim-ready-delay";
  public static final String NEVER_BOOT_TAG = "capstan.io/sim-never-boot";
  public static final String NEVER_READY_TAG = "capstan.io/sim-never-ready";
  public static final String NO_CAPACITY_TAG = "capstan.io/sim-zones-out-of-capacity";

  /** The EC2 tag with which the simulated cloud says why an instance never became a node. */
  public static final String FAILURE_TAG = "capstan.io/sim-failure";

  /** The tag on launch templates the simulated cloud made. */
  static final String MANAGED_TAG = "capstan.io/managed-by";

  /** The longest launch template name EC2 accepts. */
  static final int MAX_TEMPLATE_NAME = 128;

  /** An image moto knows, for the simulated cloud's launch templates. */
  static final String SIMULATED_IMAGE = "ami-12c6146b";

  /**
   * The image of a simulated template's versions after the first: moto reports every instance of a
   * template as launched from its default version, so the simulated cloud tells versions apart by
   * the image each one launches, which an instance keeps.
   */
  private static final Pattern SIMULATED_VERSION_IMAGE = Pattern.compile("ami-c5([0-9]{6})");

  static String simulatedImage(long version) {
    return version <= 1 ? SIMULATED_IMAGE : String.format("ami-c5%06d", version);
  }

  /** The template version a simulated instance launched from, by its image; null when unknown. */
  static String simulatedVersion(String image) {
    if (SIMULATED_IMAGE.equals(image)) {
      return "1";
    }
    var matcher = image == null ? null : SIMULATED_VERSION_IMAGE.matcher(image);
    return matcher != null && matcher.matches()
        ? Long.toString(Long.parseLong(matcher.group(1)))
        : null;
  }

  private static final Logger LOG = LoggerFactory.getLogger(CloudActivitiesImpl.class);

  private final AwsClients clients;
  private final InstanceTypes types;
  private final Duration pollInterval;

  public CloudActivitiesImpl(AwsClients clients, InstanceTypes types, Duration pollInterval) {
    this.clients = clients;
    this.types = types;
    this.pollInterval = pollInterval;
  }

  public CloudActivitiesImpl(AwsClients clients) {
    this(clients, InstanceTypes.shipped(), Duration.ofSeconds(1));
  }

  @Override
  public GroupState ensureGroup(EnsureGroupRequest request) {
    ClusterRef cluster = request.cluster();
    NodePoolSpec pool = request.pool();
    String name = cluster.groupName(pool.name());
    AutoScalingClient asg = clients.autoscaling(cluster);
    Optional<AutoScalingGroup> existing = find(asg, name);
    if (existing.isPresent()) {
      return adopt(cluster, pool, existing.get());
    }
    // A simulated pool that names no template gets one of its own, so that no other cluster's
    // deletion can take it away mid-creation; named ones are shared, as in an AWS account.
    String template =
        pool.launchTemplate() == null ? defaultTemplate(name) : pool.launchTemplate().name();
    String version = pool.launchTemplate() == null ? "$Default" : pool.launchTemplate().version();
    if (cluster.simulated()) {
      ensureSimulatedTemplate(cluster, template, version, pool.instanceType());
    }
    InstancesDistribution.Builder distribution =
        InstancesDistribution.builder().onDemandBaseCapacity(0);
    if (pool.isSpot()) {
      distribution
          .onDemandPercentageAboveBaseCapacity(0)
          .spotAllocationStrategy("price-capacity-optimized");
      if (pool.spot().maxPrice() != null) {
        distribution.spotMaxPrice(pool.spot().maxPrice());
      }
    } else {
      distribution.onDemandPercentageAboveBaseCapacity(100);
    }
    var create =
        software.amazon.awssdk.services.autoscaling.model.CreateAutoScalingGroupRequest.builder()
            .autoScalingGroupName(name)
            .minSize(pool.minSize())
            .maxSize(pool.maxSize())
            .desiredCapacity(request.desired())
            .mixedInstancesPolicy(
                MixedInstancesPolicy.builder()
                    .launchTemplate(
                        LaunchTemplate.builder()
                            .launchTemplateSpecification(
                                LaunchTemplateSpecification.builder()
                                    .launchTemplateName(template)
                                    .version(version)
                                    .build())
                            .overrides(
                                LaunchTemplateOverrides.builder()
                                    .instanceType(pool.instanceType())
                                    .build())
                            .build())
                    .instancesDistribution(distribution.build())
                    .build())
            .tags(tags(cluster, pool, name));
    if (!cluster.network().subnets().isEmpty()) {
      create.vpcZoneIdentifier(String.join(",", cluster.network().subnets()));
    } else {
      create.availabilityZones(zones(cluster, pool));
    }
    try {
      call("create group " + name, () -> asg.createAutoScalingGroup(create.build()));
    } catch (AlreadyExistsException raced) {
      // Another attempt made it between our look and our create: adopt it like any other.
      return adopt(cluster, pool, find(asg, name).orElseThrow(() -> raced));
    }
    LOG.info("created Auto Scaling group {} for {} pool {}", name, cluster.key(), pool.name());
    AutoScalingGroup made = find(asg, name).orElseThrow();
    return state(cluster, made, true);
  }

  /** The launch template of a simulated pool that names none: its group's name, at most 128. */
  static String defaultTemplate(String group) {
    if (group.length() <= MAX_TEMPLATE_NAME) {
      return group;
    }
    return group.substring(0, MAX_TEMPLATE_NAME - 9) + "-" + Integer.toHexString(group.hashCode());
  }

  /** A group of this name is ours only when it carries this cluster's and pool's tags. */
  private GroupState adopt(ClusterRef cluster, NodePoolSpec pool, AutoScalingGroup group) {
    Map<String, String> tags = tagsOf(group);
    if (!cluster.key().equals(tags.get(CLUSTER_TAG)) || !pool.name().equals(tags.get(POOL_TAG))) {
      throw ApplicationFailure.newNonRetryableFailure(
          "Auto Scaling group "
              + group.autoScalingGroupName()
              + " exists and is not pool "
              + pool.name()
              + " of cluster "
              + cluster.key()
              + " (its tags: "
              + tags
              + "): Capstan never adopts a group it did not make; rename the cluster or remove the"
              + " group",
          GROUP_CONFLICT);
    }
    return state(cluster, group, false);
  }

  @Override
  public GroupState awaitInService(AwaitInServiceRequest request) {
    AutoScalingClient asg = clients.autoscaling(request.cluster());
    while (true) {
      AutoScalingGroup group =
          find(asg, request.groupName())
              .orElseThrow(
                  () ->
                      ApplicationFailure.newNonRetryableFailure(
                          "Auto Scaling group " + request.groupName() + " is gone",
                          INVALID_REQUEST));
      long inService =
          group.instances().stream()
              .filter(i -> "InService".equals(i.lifecycleStateAsString()))
              .count();
      Activity.getExecutionContext()
          .heartbeat(inService + " of " + request.count() + " instances in service");
      if (inService >= request.count() || System.currentTimeMillis() >= request.deadlineMillis()) {
        return state(request.cluster(), group, false);
      }
      pause();
    }
  }

  @Override
  public GroupState resize(ResizeRequest request) {
    AutoScalingClient asg = clients.autoscaling(request.cluster());
    // moto drops a group's launch template from any update that does not repeat it: the
    // simulated cloud repeats it, so the group goes on saying what it launches.
    Optional<AutoScalingGroup> current =
        request.cluster().simulated() ? find(asg, request.groupName()) : Optional.empty();
    call(
        "resize group " + request.groupName(),
        () ->
            asg.updateAutoScalingGroup(
                b -> {
                  b.autoScalingGroupName(request.groupName())
                      .minSize(request.min())
                      .maxSize(request.max())
                      .desiredCapacity(request.desired());
                  current.ifPresent(group -> repeatTemplate(group, b));
                }));
    return state(request.cluster(), find(asg, request.groupName()).orElseThrow(), false);
  }

  /** Repeats the group's launch template (name and version) in an update of it. */
  private static void repeatTemplate(
      AutoScalingGroup group,
      software.amazon.awssdk.services.autoscaling.model.UpdateAutoScalingGroupRequest.Builder
          update) {
    MixedInstancesPolicy mixed = group.mixedInstancesPolicy();
    if (mixed != null && mixed.launchTemplate() != null) {
      var spec = mixed.launchTemplate().launchTemplateSpecification();
      update.mixedInstancesPolicy(
          mixed.toBuilder()
              .launchTemplate(
                  mixed.launchTemplate().toBuilder()
                      .launchTemplateSpecification(
                          LaunchTemplateSpecification.builder()
                              .launchTemplateName(spec.launchTemplateName())
                              .version(spec.version())
                              .build())
                      .build())
              .build());
    } else if (group.launchTemplate() != null) {
      update.launchTemplate(
          LaunchTemplateSpecification.builder()
              .launchTemplateName(group.launchTemplate().launchTemplateName())
              .version(group.launchTemplate().version())
              .build());
    }
  }

  @Override
  public GroupState setLaunchTemplate(SetLaunchTemplateRequest request) {
    ClusterRef cluster = request.cluster();
    AutoScalingClient asg = clients.autoscaling(cluster);
    AutoScalingGroup group =
        find(asg, request.groupName())
            .orElseThrow(
                () ->
                    ApplicationFailure.newNonRetryableFailure(
                        "Auto Scaling group " + request.groupName() + " is gone", INVALID_REQUEST));
    String template = templateOf(group);
    if (template == null) {
      // moto forgets a group's template when it is resized without one: the pool names it.
      template =
          request.pool().launchTemplate() != null && request.pool().launchTemplate().name() != null
              ? request.pool().launchTemplate().name()
              : defaultTemplate(request.groupName());
    }
    if (cluster.simulated()) {
      ensureSimulatedTemplate(cluster, template, request.version(), request.pool().instanceType());
    }
    LaunchTemplateSpecification specification =
        LaunchTemplateSpecification.builder()
            .launchTemplateName(template)
            .version(request.version())
            .build();
    MixedInstancesPolicy mixed = group.mixedInstancesPolicy();
    call(
        "set the launch template version of group " + request.groupName(),
        () ->
            asg.updateAutoScalingGroup(
                b -> {
                  b.autoScalingGroupName(request.groupName());
                  if (mixed != null && mixed.launchTemplate() != null) {
                    b.mixedInstancesPolicy(
                        mixed.toBuilder()
                            .launchTemplate(
                                mixed.launchTemplate().toBuilder()
                                    .launchTemplateSpecification(specification)
                                    .build())
                            .build());
                  } else {
                    b.launchTemplate(specification);
                  }
                }));
    LOG.info(
        "group {} of {} now launches {} version {}",
        request.groupName(),
        cluster.key(),
        template,
        request.version());
    return state(cluster, find(asg, request.groupName()).orElseThrow(), false);
  }

  @Override
  public GroupState describe(GroupRequest request) {
    return find(clients.autoscaling(request.cluster()), request.groupName())
        .map(group -> state(request.cluster(), group, false))
        .orElse(null);
  }

  @Override
  public boolean terminateInstance(TerminateRequest request) {
    AutoScalingClient asg = clients.autoscaling(request.cluster());
    Optional<AutoScalingGroup> group = find(asg, request.groupName());
    boolean member =
        group.isPresent()
            && group.get().instances().stream()
                .anyMatch(
                    i ->
                        i.instanceId().equals(request.instanceId())
                            && !i.lifecycleStateAsString().startsWith("Terminat"));
    if (!member) {
      // Terminated by an earlier attempt (or by someone else): the goal is met.
      return false;
    }
    call(
        "terminate " + request.instanceId(),
        () ->
            asg.terminateInstanceInAutoScalingGroup(
                b ->
                    b.instanceId(request.instanceId())
                        .shouldDecrementDesiredCapacity(request.decrement())));
    LOG.info("terminated {} of {}", request.instanceId(), request.groupName());
    return true;
  }

  @Override
  public boolean deleteGroup(GroupRequest request) {
    ClusterRef cluster = request.cluster();
    AutoScalingClient asg = clients.autoscaling(cluster);
    Optional<AutoScalingGroup> group = find(asg, request.groupName());
    // The simulated cloud's template of the group: named by the group, else its own default.
    List<String> templates = new ArrayList<>();
    group.map(CloudActivitiesImpl::templateOf).ifPresent(templates::add);
    templates.add(defaultTemplate(request.groupName()));
    if (group.isPresent() && !cluster.key().equals(tagsOf(group.get()).get(CLUSTER_TAG))) {
      // A group of the name that this cluster did not make: never ours to delete.
      LOG.warn(
          "not deleting Auto Scaling group {}: it is not cluster {}'s (tags {})",
          request.groupName(),
          cluster.key(),
          tagsOf(group.get()));
      return false;
    }
    boolean deleting =
        group.isPresent()
            && group.get().status() != null
            && group.get().status().toLowerCase(java.util.Locale.ROOT).contains("delete");
    if (group.isPresent() && !deleting) {
      call(
          "delete group " + request.groupName(),
          () ->
              asg.deleteAutoScalingGroup(
                  b -> b.autoScalingGroupName(request.groupName()).forceDelete(true)));
      while (find(asg, request.groupName()).isPresent()) {
        Activity.getExecutionContext().heartbeat("waiting for " + request.groupName() + " to go");
        pause();
      }
      LOG.info("deleted Auto Scaling group {}", request.groupName());
    }
    if (cluster.simulated()) {
      removeUnusedTemplates(cluster, templates);
    }
    return group.isPresent();
  }

  @Override
  public InstanceTypeInfo instanceType(String instanceType) {
    return types.get(instanceType);
  }

  // ---------------------------------------------------------------------------------------------

  private GroupState state(ClusterRef cluster, AutoScalingGroup group, boolean created) {
    Map<String, String> failures = new HashMap<>();
    Map<String, String> images = new HashMap<>();
    describeInstances(cluster, group.instances(), failures, images);
    List<CloudInstance> instances = new ArrayList<>();
    for (Instance instance : group.instances()) {
      String version =
          instance.launchTemplate() == null ? null : instance.launchTemplate().version();
      if (cluster.simulated()) {
        String launched = simulatedVersion(images.get(instance.instanceId()));
        version = launched == null ? version : launched;
      }
      instances.add(
          new CloudInstance(
              instance.instanceId(),
              instance.availabilityZone(),
              instance.instanceType(),
              instance.lifecycleStateAsString(),
              instance.healthStatus(),
              version,
              failures.get(instance.instanceId())));
    }
    return new GroupState(
        group.autoScalingGroupName(),
        created,
        group.minSize(),
        group.desiredCapacity(),
        group.maxSize(),
        instances);
  }

  /**
   * Why instances will not come up (EC2's state reason, or the simulated cloud's failure tag) and
   * the image each one launched.
   */
  private void describeInstances(
      ClusterRef cluster,
      List<Instance> instances,
      Map<String, String> failures,
      Map<String, String> images) {
    if (instances.isEmpty()) {
      return;
    }
    Ec2Client ec2 = clients.ec2(cluster);
    var reservations =
        call(
            "describe instances",
            () ->
                ec2.describeInstances(
                    b -> b.instanceIds(instances.stream().map(Instance::instanceId).toList())));
    for (var reservation : reservations.reservations()) {
      for (var instance : reservation.instances()) {
        if (instance.imageId() != null) {
          images.put(instance.instanceId(), instance.imageId());
        }
        instance.tags().stream()
            .filter(t -> FAILURE_TAG.equals(t.key()))
            .findFirst()
            .ifPresentOrElse(
                t -> failures.put(instance.instanceId(), t.value()),
                () -> {
                  if (instance.stateReason() != null
                      && instance.stateReason().message() != null
                      && !"running".equals(instance.state().nameAsString())) {
                    failures.put(instance.instanceId(), instance.stateReason().message());
                  }
                });
      }
    }
  }

  private static Optional<AutoScalingGroup> find(AutoScalingClient asg, String name) {
    return call(
            "describe group " + name,
            () -> asg.describeAutoScalingGroups(b -> b.autoScalingGroupNames(name)))
        .autoScalingGroups()
        .stream()
        .filter(g -> g.autoScalingGroupName().equals(name))
        .findFirst();
  }

  private static Map<String, String> tagsOf(AutoScalingGroup group) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (TagDescription tag : group.tags()) {
      tags.put(tag.key(), tag.value());
    }
    return tags;
  }

  private static List<Tag> tags(ClusterRef cluster, NodePoolSpec pool, String group) {
    Map<String, String> values = new LinkedHashMap<>();
    values.put(CLUSTER_TAG, cluster.key());
    values.put(POOL_TAG, pool.name());
    values.put("kubernetes.io/cluster/" + cluster.name(), "owned");
    values.put(SPOT_TAG, Boolean.toString(pool.isSpot()));
    if (pool.isGpu()) {
      values.put(GPU_TAG, Integer.toString(pool.gpu().perNode()));
    }
    PoolSimulation simulate = pool.simulate();
    if (cluster.simulated() && simulate != null) {
      values.put(BOOT_DELAY_TAG, Durations.format(simulate.bootDelay()));
      values.put(READY_DELAY_TAG, Durations.format(simulate.readyDelay()));
      if (simulate.neverBoot()) {
        values.put(NEVER_BOOT_TAG, "true");
      }
      if (simulate.neverReady()) {
        values.put(NEVER_READY_TAG, "true");
      }
      if (!simulate.zonesOutOfCapacity().isEmpty()) {
        values.put(NO_CAPACITY_TAG, String.join(",", simulate.zonesOutOfCapacity()));
      }
    }
    List<Tag> tags = new ArrayList<>();
    values.forEach(
        (key, value) ->
            tags.add(
                Tag.builder()
                    .resourceId(group)
                    .resourceType("auto-scaling-group")
                    .key(key)
                    .value(value)
                    .propagateAtLaunch(true)
                    .build()));
    return tags;
  }

  /** The pool's zones, or the region's first three. */
  private List<String> zones(ClusterRef cluster, NodePoolSpec pool) {
    if (!pool.zones().isEmpty()) {
      return pool.zones();
    }
    Ec2Client ec2 = clients.ec2(cluster);
    List<String> zones =
        call(
                "describe zones",
                () ->
                    ec2.describeAvailabilityZones(
                        b ->
                            b.filters(
                                Filter.builder()
                                    .name("region-name")
                                    .values(cluster.region())
                                    .build())))
            .availabilityZones()
            .stream()
            .map(zone -> zone.zoneName())
            .sorted()
            .limit(3)
            .toList();
    return zones.isEmpty() ? List.of(cluster.region() + "a") : zones;
  }

  /**
   * The simulated account's launch template: made when missing, with versions up to {@code
   * version}.
   */
  private synchronized void ensureSimulatedTemplate(
      ClusterRef cluster, String name, String version, String instanceType) {
    Ec2Client ec2 = clients.ec2(cluster);
    long versions;
    try {
      versions =
          ec2.describeLaunchTemplates(b -> b.launchTemplateNames(name))
              .launchTemplates()
              .get(0)
              .latestVersionNumber();
    } catch (Ec2Exception missing) {
      if (missing.statusCode() >= 500) {
        throw missing;
      }
      try {
        ec2.createLaunchTemplate(
            b ->
                b.launchTemplateName(name)
                    .versionDescription("made by Capstan's simulated cloud")
                    .launchTemplateData(d -> d.imageId(SIMULATED_IMAGE).instanceType(instanceType))
                    .tagSpecifications(
                        TagSpecification.builder()
                            .resourceType(ResourceType.LAUNCH_TEMPLATE)
                            .tags(
                                software.amazon.awssdk.services.ec2.model.Tag.builder()
                                    .key(MANAGED_TAG)
                                    .value("capstan")
                                    .build())
                            .build()));
      } catch (Ec2Exception raced) {
        // Another pool of the same cluster (or another cluster) made it a moment ago: it is there.
        String code = raced.awsErrorDetails() == null ? "" : raced.awsErrorDetails().errorCode();
        if (!code.contains("AlreadyExists")) {
          throw call("create launch template " + name, raced);
        }
      }
      versions = 1;
    }
    long wanted = version.matches("[0-9]+") ? Long.parseLong(version) : 1;
    for (long v = versions + 1; v <= wanted; v++) {
      long number = v;
      String description = "version " + v + " (simulated)";
      call(
          "create launch template version",
          () ->
              ec2.createLaunchTemplateVersion(
                  b ->
                      b.launchTemplateName(name)
                          .versionDescription(description)
                          .launchTemplateData(
                              d -> d.imageId(simulatedImage(number)).instanceType(instanceType))));
    }
  }

  /** The launch template a group launches from. */
  private static String templateOf(AutoScalingGroup group) {
    if (group.mixedInstancesPolicy() != null
        && group.mixedInstancesPolicy().launchTemplate() != null) {
      return group
          .mixedInstancesPolicy()
          .launchTemplate()
          .launchTemplateSpecification()
          .launchTemplateName();
    }
    return group.launchTemplate() == null ? null : group.launchTemplate().launchTemplateName();
  }

  /**
   * Deletes those of {@code names} that the simulated cloud made and no group launches from any
   * more; a template someone else made is never touched.
   */
  private void removeUnusedTemplates(ClusterRef cluster, List<String> names) {
    AutoScalingClient asg = clients.autoscaling(cluster);
    List<String> used = new ArrayList<>();
    for (AutoScalingGroup group :
        call("list groups", () -> asg.describeAutoScalingGroupsPaginator().autoScalingGroups())) {
      used.add(templateOf(group));
    }
    Ec2Client ec2 = clients.ec2(cluster);
    for (String name : names.stream().distinct().toList()) {
      if (name == null || used.contains(name)) {
        continue;
      }
      List<software.amazon.awssdk.services.ec2.model.LaunchTemplate> found;
      try {
        found = ec2.describeLaunchTemplates(b -> b.launchTemplateNames(name)).launchTemplates();
      } catch (Ec2Exception missing) {
        if (missing.statusCode() >= 500) {
          throw missing;
        }
        continue;
      }
      boolean ours =
          found.stream()
              .flatMap(t -> t.tags().stream())
              .anyMatch(t -> MANAGED_TAG.equals(t.key()) && "capstan".equals(t.value()));
      if (ours) {
        call(
            "delete launch template " + name,
            () -> ec2.deleteLaunchTemplate(b -> b.launchTemplateName(name)));
        LOG.info("deleted simulated launch template {}", name);
      }
    }
  }

  /**
   * One cloud call, its failure classified: throttling, server errors and unreachable endpoints
   * stay retryable (Temporal's retry policy backs off); any other refusal is the request's fault
   * and fails non-retryably with AWS's own message.
   */
  static <T> T call(String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (AlreadyExistsException exists) {
      throw exists;
    } catch (AwsServiceException e) {
      throw call(what, e);
    } catch (SdkClientException unreachable) {
      throw unreachable;
    }
  }

  /**
   * Refusals that pass: a scaling activity or another change still in progress, a resource in use,
   * an instance EC2 does not show yet (its reads are eventually consistent), a group being deleted.
   */
  static final java.util.Set<String> TRANSIENT_CODES =
      java.util.Set.of(
          "ScalingActivityInProgress",
          "ResourceInUse",
          "ResourceContention",
          "RequestLimitExceeded",
          "InvalidInstanceID.NotFound");

  /** {@code e} as the activity fails with it: retryable as it is, or the request's fault. */
  static RuntimeException call(String what, AwsServiceException e) {
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    String message =
        e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
    boolean pendingDelete =
        message != null
            && (message.contains("pending delete") || message.contains("Delete in progress"));
    if (e.isThrottlingException()
        || e.statusCode() >= 500
        || e.statusCode() == 0
        || (code != null && TRANSIENT_CODES.contains(code))
        || pendingDelete) {
      return ApplicationFailure.newFailureWithCause(
          what + " will be tried again: " + message + (code == null ? "" : " (" + code + ")"),
          "CloudBusy",
          e);
    }
    return ApplicationFailure.newNonRetryableFailure(
        what + " was refused: " + message + (code == null ? "" : " (" + code + ")"),
        INVALID_REQUEST);
  }

  private void pause() {
    try {
      Thread.sleep(pollInterval.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
