package io.capstan.definitions.cluster;

/**
 * Run a pool's instances on Spot capacity.
 *
 * @param maxPrice the most to pay per instance-hour, in US dollars, as a positive decimal such as
 *     {@code "2.0"}; null caps it at the on-demand price
 */
public record SpotSpec(String maxPrice) {}
