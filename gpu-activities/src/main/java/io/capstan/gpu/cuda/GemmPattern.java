package io.capstan.gpu.cuda;

import io.capstan.gpu.GpuBackend.Precision;

/**
 * The fixed inputs of every burn-in GEMM, and the exact sum of their product. Matrices are
 * column-major, as cuBLAS reads them: element (row, col) of an n×n matrix is at {@code row +
 * col·n}.
 *
 * <p>Entries are small multiples of 1/64 ({@code -8/64 .. 8/64}), exact in BF16, so no input
 * overflows and every product and partial sum is a multiple of 1/4096 far inside FP32's exact
 * range: a healthy device computes each element of C exactly, whatever order it sums in, and a BF16
 * result rounds that exact value once. A's entries repeat with period 17 and B's with period 13 in
 * the linear index, so element (row, col) of C depends only on (row mod 17, col mod 13): the 221
 * distinct elements, each an O(n) dot product, and how often each occurs give the exact sum of C
 * ({@link #checksum}) without an n³ product. The device's sum, taken in order in double precision,
 * is exact too (n ≤ 2<sup>15</sup>), so the two are equal on a healthy device.
 */
final class GemmPattern {
  private static final int A_PERIOD = 17;
  private static final int B_PERIOD = 13;

  private GemmPattern() {}

  /** Element {@code index} of A. */
  static float a(long index) {
    return numeratorOfA(index) / 64f;
  }

  /** Element {@code index} of B. */
  static float b(long index) {
    return numeratorOfB(index) / 64f;
  }

  /** {@code value} as BF16 bits; exact for this pattern's values, which need no rounding. */
  static short bf16(float value) {
    return (short) (Float.floatToRawIntBits(value) >>> 16);
  }

  /** The float that BF16 {@code bits} stands for. */
  static float fromBf16(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /** The BF16 nearest to a finite {@code value}, ties to even, as a device stores a result. */
  static short roundToBf16(float value) {
    int bits = Float.floatToRawIntBits(value);
    return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
  }

  /**
   * The exact sum of all elements of A·B for size {@code n}, each element stored in {@code
   * precision}: what {@link GemmWorkload} sums on a healthy device. O(221·n).
   */
  static double checksum(Precision precision, int n) {
    double sum = 0;
    for (int row = 0; row < Math.min(A_PERIOD, n); row++) {
      for (int col = 0; col < Math.min(B_PERIOD, n); col++) {
        long dot = 0;
        for (int k = 0; k < n; k++) {
          dot += (long) numeratorOfA(row + (long) k * n) * numeratorOfB(k + (long) col * n);
        }
        float element = dot / 4096f;
        if (precision == Precision.BF16) {
          element = fromBf16(roundToBf16(element));
        }
        sum += (double) occurrences(row, A_PERIOD, n) * occurrences(col, B_PERIOD, n) * element;
      }
    }
    return sum;
  }

  /** How many of {@code 0 .. n-1} are {@code residue} modulo {@code period}. */
  private static long occurrences(int residue, int period, int n) {
    return (n - residue + period - 1) / period;
  }

  private static int numeratorOfA(long index) {
    return (int) ((7 * index + 3) % A_PERIOD) - 8;
  }

  private static int numeratorOfB(long index) {
    return (int) ((5 * index + 1) % B_PERIOD) - 6;
  }
}
