package io.capstan.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The burn-in verdict")
class BurnInTest {
  /** A window of {@code tflops} over one second, with {@code checksum}. */
  static GpuBackend.GemmWindow window(double tflops, double checksum) {
    return new GpuBackend.GemmWindow(tflops * 1e12, 1_000_000_000L, checksum, true);
  }

  @Test
  @DisplayName("passes windows that match the first and keep within 0.95 of its rate")
  void steadyPasses() {
    BurnIn burnIn = new BurnIn(500.0);

    assertThat(burnIn.add(window(980, 42))).isEmpty();
    assertThat(burnIn.add(window(940, 42))).isEmpty();
    assertThat(burnIn.add(window(931.1, 42 + 1e-9))).isEmpty();

    assertThat(burnIn.rates()).containsExactly(980.0, 940.0, 931.1);
    assertThat(burnIn.failure()).isEmpty();
  }

  @Test
  @DisplayName("fails a window below 0.95 × the first window's rate, naming both")
  void slowWindowFails() {
    BurnIn burnIn = new BurnIn(null);
    burnIn.add(window(1000, 42));

    assertThat(burnIn.add(window(949, 42)))
        .hasValue("window 2: 949.0 TFLOPS is below 0.95 × the first window's 1000.0");
    // Later windows change nothing.
    assertThat(burnIn.add(window(1000, 42))).hasValue(burnIn.failure().orElseThrow());
  }

  @Test
  @DisplayName("fails a window below the minimum, the first one too")
  void belowMinimum() {
    assertThat(new BurnIn(600.0).add(window(550, 42)))
        .hasValue("window 1: 550.0 TFLOPS is below the minimum 600.0");
  }

  @Test
  @DisplayName("fails a result that differs from the first window's, and a NaN")
  void wrongResults() {
    BurnIn burnIn = new BurnIn(null);
    burnIn.add(window(1000, 1_000_000));
    assertThat(burnIn.add(window(1000, 1_000_100)))
        .get()
        .asString()
        .startsWith("window 2: the result differs from the first window's")
        .endsWith("the device computes wrong results");

    assertThat(new BurnIn(null).add(window(1000, Double.NaN)))
        .hasValue("window 1: the result holds NaN or infinity");
    assertThat(new BurnIn(null).add(new GpuBackend.GemmWindow(1e15, 1_000_000_000L, 1, false)))
        .hasValue("window 1: the result holds NaN or infinity");
  }

  @Test
  @DisplayName(
      "a device wrong the same way in every window fails against the known answer, not only the"
          + " first window")
  void knownAnswer() {
    BurnIn consistentlyWrong = new BurnIn(null, 1000.0);
    assertThat(consistentlyWrong.add(window(900, 1010))).isPresent();
    assertThat(consistentlyWrong.failure().orElseThrow())
        .contains("window 1: the result differs from the known answer");

    BurnIn healthy = new BurnIn(null, 1000.0);
    // BF16 on the device and doubles on the host round differently: within 1e-3 is the same.
    assertThat(healthy.add(window(900, 1000.4))).isEmpty();
    assertThat(healthy.add(window(900, 1000.4))).isEmpty();
  }
}
