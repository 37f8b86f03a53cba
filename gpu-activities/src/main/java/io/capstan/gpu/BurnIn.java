package io.capstan.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The verdict of a burn-in, window by window, in the manner of gpu-burn and DCGM's diagnostics:
 * every window's result must equal the first window's (the same inputs, the same sum), hold no NaN
 * or infinity, and run at no less than {@code minTflops} nor {@value #RATIO} × the first window's
 * rate (DCGM targeted_stress's ratio). Pure arithmetic over what the windows report.
 */
public final class BurnIn {
  /** The share of its first window's rate a later window must reach. */
  public static final double RATIO = 0.95;

  /** How far two checksums may differ and still be the same result (float summation order). */
  static final double TOLERANCE = 1e-6;

  /**
   * How far a checksum may differ from the known answer: the device's summation order and BF16
   * rounding differ from the host's arithmetic, where two windows on one device do not.
   */
  static final double EXPECTED_TOLERANCE = 1e-3;

  private final Double minTflops;
  private final Double expectedChecksum;
  private final List<Double> rates = new ArrayList<>();
  private Double firstChecksum;
  private String failure;

  public BurnIn(Double minTflops) {
    this(minTflops, null);
  }

  /**
   * @param expectedChecksum the checksum a healthy device computes for the backend's fixed inputs,
   *     where the backend knows it; null to compare windows with the first only. Without it, a
   *     device that is wrong the same way in every window would pass.
   */
  public BurnIn(Double minTflops, Double expectedChecksum) {
    this.minTflops = minTflops;
    this.expectedChecksum = expectedChecksum;
  }

  /**
   * Takes the next window; answers why the device fails, or empty when it is fine so far. After a
   * failure, later windows are not looked at.
   */
  public Optional<String> add(GpuBackend.GemmWindow window) {
    if (failure != null) {
      return Optional.of(failure);
    }
    int number = rates.size() + 1;
    double tflops = window.tflops();
    rates.add(tflops);
    if (!window.finite()
        || Double.isNaN(window.checksum())
        || Double.isInfinite(window.checksum())) {
      return fail("window " + number + ": the result holds NaN or infinity");
    }
    if (firstChecksum == null) {
      firstChecksum = window.checksum();
      if (expectedChecksum != null
          && !within(expectedChecksum, window.checksum(), EXPECTED_TOLERANCE)) {
        return fail(
            String.format(
                Locale.ROOT,
                "window %d: the result differs from the known answer (checksum %.9g, expected"
                    + " %.9g): the device computes wrong results",
                number,
                window.checksum(),
                expectedChecksum));
      }
    } else if (!same(firstChecksum, window.checksum())) {
      return fail(
          String.format(
              Locale.ROOT,
              "window %d: the result differs from the first window's (checksum %.9g, first %.9g):"
                  + " the device computes wrong results",
              number,
              window.checksum(),
              firstChecksum));
    }
    if (minTflops != null && tflops < minTflops) {
      return fail(
          String.format(
              Locale.ROOT,
              "window %d: %.1f TFLOPS is below the minimum %.1f",
              number,
              tflops,
              minTflops));
    }
    double first = rates.get(0);
    if (number > 1 && tflops < RATIO * first) {
      return fail(
          String.format(
              Locale.ROOT,
              "window %d: %.1f TFLOPS is below %.2f × the first window's %.1f",
              number,
              tflops,
              RATIO,
              first));
    }
    return Optional.empty();
  }

  /** Each window's TFLOPS so far, the failing one included. */
  public List<Double> rates() {
    return List.copyOf(rates);
  }

  public Optional<String> failure() {
    return Optional.ofNullable(failure);
  }

  private Optional<String> fail(String why) {
    failure = why;
    return Optional.of(why);
  }

  private static boolean same(double a, double b) {
    return within(a, b, TOLERANCE);
  }

  private static boolean within(double a, double b, double tolerance) {
    return Math.abs(a - b) <= tolerance * Math.max(1.0, Math.max(Math.abs(a), Math.abs(b)));
  }
}
