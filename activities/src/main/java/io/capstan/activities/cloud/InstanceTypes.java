package io.capstan.activities.cloud;

import io.capstan.workflows.cluster.InstanceTypeInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Capstan's shipped instance table ({@code instance-types.csv} beside this class): vCPUs, memory,
 * GPUs and the on-demand and spot price per hour of common EC2 types. A type not in it gets a
 * modest estimate marked unknown, so a cluster of an unlisted type still runs and its status says
 * the cost is a guess.
 */
public final class InstanceTypes {
  private static final InstanceTypes SHIPPED = load();

  private final Map<String, InstanceTypeInfo> types;

  private InstanceTypes(Map<String, InstanceTypeInfo> types) {
    this.types = Map.copyOf(types);
  }

  public static InstanceTypes shipped() {
    return SHIPPED;
  }

  /** The type's row, or an estimate (2 vCPUs, 8 GiB, no GPU, $0.10/h) marked unknown. */
  public InstanceTypeInfo get(String type) {
    InstanceTypeInfo info = types.get(type);
    return info != null ? info : new InstanceTypeInfo(type, 2, 8192, 0, 0.10, 0.03, false);
  }

  private static InstanceTypes load() {
    Map<String, InstanceTypeInfo> types = new LinkedHashMap<>();
    try (InputStream in = InstanceTypes.class.getResourceAsStream("instance-types.csv")) {
      if (in == null) {
        throw new IllegalStateException("instance-types.csv is missing from the class path");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String line;
      while ((line = reader.readLine()) != null) {
        line = line.strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split(",");
        types.put(
            f[0],
            new InstanceTypeInfo(
                f[0],
                Integer.parseInt(f[1]),
                Long.parseLong(f[2]),
                Integer.parseInt(f[3]),
                Double.parseDouble(f[4]),
                Double.parseDouble(f[5]),
                true));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new InstanceTypes(types);
  }
}
