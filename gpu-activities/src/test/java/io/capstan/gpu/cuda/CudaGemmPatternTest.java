package io.capstan.gpu.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.gpu.GpuBackend.Precision;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The burn-in GEMM's fixed inputs and their known sums")
class CudaGemmPatternTest {
  @Test
  @DisplayName("inputs are small multiples of 1/64, exact in BF16")
  void inputsAreExactInBf16() {
    for (long i = 0; i < 10_000; i++) {
      for (float value : new float[] {GemmPattern.a(i), GemmPattern.b(i)}) {
        assertThat(Math.abs(value)).isLessThanOrEqualTo(8 / 64f);
        assertThat(GemmPattern.fromBf16(GemmPattern.bf16(value))).isEqualTo(value);
      }
    }
  }

  @Test
  @DisplayName("the known sums equal the sums of the full product, in FP32 and rounded to BF16")
  void checksumsAreTheProductsSums() {
    for (int n : new int[] {1, 5, 16, 40, 99}) {
      double fp32 = 0;
      double bf16 = 0;
      for (int row = 0; row < n; row++) {
        for (int col = 0; col < n; col++) {
          float dot = 0;
          for (int k = 0; k < n; k++) {
            dot += GemmPattern.a(row + (long) k * n) * GemmPattern.b(k + (long) col * n);
          }
          fp32 += dot;
          bf16 += GemmPattern.fromBf16(GemmPattern.roundToBf16(dot));
        }
      }

      assertThat(GemmPattern.checksum(Precision.FP32, n)).as("FP32, n=%d", n).isEqualTo(fp32);
      assertThat(GemmPattern.checksum(Precision.BF16, n)).as("BF16, n=%d", n).isEqualTo(bf16);
    }
    // At 99, some elements need more bits than BF16 has: the rounding shows in the sum.
    assertThat(GemmPattern.checksum(Precision.FP32, 99))
        .isNotEqualTo(GemmPattern.checksum(Precision.BF16, 99));
  }

  @Test
  @DisplayName("BF16 results round to nearest, ties to even, as a device stores them")
  void bf16Rounding() {
    // 1 + 2^-8 lies halfway between two BF16 values: ties go to the even one, 1.0.
    assertThat(GemmPattern.fromBf16(GemmPattern.roundToBf16(1 + 0x1p-8f))).isEqualTo(1f);
    assertThat(GemmPattern.fromBf16(GemmPattern.roundToBf16(1 + 0x1p-8f + 0x1p-12f)))
        .isEqualTo(1 + 0x1p-7f);
    assertThat(GemmPattern.fromBf16(GemmPattern.roundToBf16(1 + 3 * 0x1p-8f)))
        .isEqualTo(1 + 0x1p-6f);
  }
}
