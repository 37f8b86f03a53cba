package io.capstan.definitions.cluster;

/**
 * The EC2 launch template a pool's instances start from.
 *
 * @param name the launch template's name
 * @param version a version number such as {@code "3"}, {@code $Latest} or {@code $Default} (the
 *     default)
 */
public record LaunchTemplateRef(String name, String version) {
  public static final String DEFAULT_VERSION = "$Default";
  public static final String LATEST_VERSION = "$Latest";

  public LaunchTemplateRef {
    version = version == null ? DEFAULT_VERSION : version;
  }
}
