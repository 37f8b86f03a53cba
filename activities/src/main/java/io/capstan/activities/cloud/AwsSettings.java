package io.capstan.activities.cloud;

import java.net.URI;

/**
 * Where a worker's cloud calls go. Credentials never appear here: for {@code provider: aws} they
 * come from the AWS SDK's default provider chain (environment, profile, instance role), so they are
 * never in a workflow's history or a log.
 *
 * @param awsEndpoint the endpoint for {@code provider: aws} clusters; null for AWS itself (a
 *     LocalStack, a moto or a VPC endpoint otherwise)
 * @param simulatedEndpoint the simulated cloud (the local moto of {@code capstan up}) for {@code
 *     provider: simulated} clusters; null when this worker has none
 */
public record AwsSettings(URI awsEndpoint, URI simulatedEndpoint) {
  /** Any credentials do for moto; these are not secrets. */
  public static final String SIMULATED_ACCESS_KEY = "testing";

  public static AwsSettings awsOnly() {
    return new AwsSettings(null, null);
  }
}
