package io.capstan.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of Capstan this API was built as, from the build's filtered resources. */
public final class ApiVersion {
  private static final String UNKNOWN = "unknown";
  private static final String VERSION = load();

  private ApiVersion() {}

  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = ApiVersion.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return UNKNOWN;
      }
      Properties properties = new Properties();
      properties.load(in);
      String version = properties.getProperty("version", UNKNOWN);
      return version.startsWith("${") ? UNKNOWN : version;
    } catch (IOException e) {
      return UNKNOWN;
    }
  }
}
