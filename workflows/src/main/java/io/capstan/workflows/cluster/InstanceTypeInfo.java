package io.capstan.workflows.cluster;

/**
 * What one instance of a type offers and costs: the capacity a node of it has for pods and the
 * price per hour, on demand and on the spot market (US dollars), from Capstan's shipped price
 * table.
 *
 * @param known false when the table has no such type: capacity and prices are then estimates and
 *     the status says so
 */
public record InstanceTypeInfo(
    String type,
    int vcpus,
    long memoryMiB,
    int gpus,
    double onDemandHourly,
    double spotHourly,
    boolean known) {
  /** The hourly price of an instance of this type, bought on the spot market or on demand. */
  public double hourly(boolean spot) {
    return spot ? spotHourly : onDemandHourly;
  }
}
