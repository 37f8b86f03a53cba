package io.capstan.activities.cloud;

import io.capstan.workflows.cluster.ClusterRef;
import io.temporal.failure.ApplicationFailure;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The Auto Scaling and EC2 clients of each (provider, region), made once and kept: a cluster's
 * provider picks the endpoint ({@link AwsSettings}) and its region the signing region.
 */
public final class AwsClients implements AutoCloseable {
  private final AwsSettings settings;
  private final Map<String, AutoScalingClient> autoscaling = new ConcurrentHashMap<>();
  private final Map<String, Ec2Client> ec2 = new ConcurrentHashMap<>();

  public AwsClients(AwsSettings settings) {
    this.settings = settings;
  }

  public AwsSettings settings() {
    return settings;
  }

  public AutoScalingClient autoscaling(ClusterRef cluster) {
    return autoscaling.computeIfAbsent(
        key(cluster),
        key -> {
          var builder =
              AutoScalingClient.builder()
                  .httpClientBuilder(UrlConnectionHttpClient.builder())
                  .region(Region.of(cluster.region()))
                  .credentialsProvider(credentials(cluster));
          endpoint(cluster).ifPresent(builder::endpointOverride);
          return builder.build();
        });
  }

  public Ec2Client ec2(ClusterRef cluster) {
    return ec2.computeIfAbsent(
        key(cluster),
        key -> {
          var builder =
              Ec2Client.builder()
                  .httpClientBuilder(UrlConnectionHttpClient.builder())
                  .region(Region.of(cluster.region()))
                  .credentialsProvider(credentials(cluster));
          endpoint(cluster).ifPresent(builder::endpointOverride);
          return builder.build();
        });
  }

  private java.util.Optional<java.net.URI> endpoint(ClusterRef cluster) {
    if (cluster.simulated()) {
      if (settings.simulatedEndpoint() == null) {
        throw ApplicationFailure.newNonRetryableFailure(
            "cluster "
                + cluster.key()
                + " is simulated, but this infrastructure worker has no simulated cloud: run it"
                + " inside `capstan up` (which starts moto), or set spec.provider: aws",
            io.capstan.workflows.cluster.CloudActivities.INVALID_REQUEST);
      }
      return java.util.Optional.of(settings.simulatedEndpoint());
    }
    return java.util.Optional.ofNullable(settings.awsEndpoint());
  }

  private static AwsCredentialsProvider credentials(ClusterRef cluster) {
    if (cluster.simulated()) {
      return StaticCredentialsProvider.create(
          AwsBasicCredentials.create(
              AwsSettings.SIMULATED_ACCESS_KEY, AwsSettings.SIMULATED_ACCESS_KEY));
    }
    return DefaultCredentialsProvider.builder().build();
  }

  private static String key(ClusterRef cluster) {
    return cluster.provider() + "/" + cluster.region();
  }

  @Override
  public void close() {
    autoscaling.values().forEach(AutoScalingClient::close);
    ec2.values().forEach(Ec2Client::close);
  }
}
