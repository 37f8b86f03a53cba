package io.capstan.e2e;

/**
 * The real stack on the dev server: a fresh {@link DevServerFixture} and one Capstan process
 * against it, for one test class (see {@link TemporalStack}). The dev server's log stays beside its
 * SQLite file in {@code e2e/target/e2e/CLASS/temporal/}.
 *
 * <pre>{@code @RegisterExtension static final RealStack stack = new RealStack();}</pre>
 */
final class RealStack extends TemporalStack<DevServerFixture> {
  RealStack() {
    super(DevServerFixture::start);
  }
}
