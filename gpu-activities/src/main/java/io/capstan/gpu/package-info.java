/**
 * GPU-native executors: device inventory, burn-in, bandwidth and GEMM through CUDA (JavaCPP), run
 * on a GPU host's pinned task queue.
 *
 * <p>Nothing lives here yet. GPU executors arrive with their own issue; until then the API refuses
 * {@code gpu} tasks at submit ("no worker serves gpu tasks yet") rather than pretending to run
 * them, and no worker registers GPU activities.
 */
package io.capstan.gpu;
