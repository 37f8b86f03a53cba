/**
 * GPU-native work on a GPU host's pinned task queue: device inventory, burn-in and copy bandwidth
 * ({@link io.capstan.gpu.GpuActivitiesImpl}) over a {@link io.capstan.gpu.GpuBackend}.
 *
 * <p>What exists: the burn-in verdict ({@link io.capstan.gpu.BurnIn}: results equal to the first
 * window's, no NaN, at least {@code minTflops} and 0.95 × the first window's rate), simulated
 * devices with failure injection ({@link io.capstan.gpu.SimulatedGpus}: slow, wrong results, lost),
 * and the activities over them; the fleet entity that leases devices and quarantines them lives in
 * {@code io.capstan.workflows.gpu}. Not yet: the CUDA backend through JavaCPP, the GPU host worker
 * on its pinned queue that registers with the fleet, and the {@code gpu} executor that leases, runs
 * and releases (the rest of the GPU issue). Until a worker registers these activities the API
 * refuses {@code gpu} tasks at submit ("no worker serves gpu tasks yet") rather than pretending to
 * run them.
 */
package io.capstan.gpu;
