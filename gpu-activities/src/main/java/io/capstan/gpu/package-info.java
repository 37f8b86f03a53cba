/**
 * GPU-native work on a GPU host's pinned task queue: device inventory, burn-in and copy bandwidth
 * ({@link io.capstan.gpu.GpuActivitiesImpl}) over a {@link io.capstan.gpu.GpuBackend}: CUDA through
 * JavaCPP ({@link io.capstan.gpu.cuda.CudaGpus}) or simulated devices with failure injection
 * ({@link io.capstan.gpu.SimulatedGpus}: slow, wrong results, lost).
 *
 * <p>The burn-in verdict ({@link io.capstan.gpu.BurnIn}) wants every window's result equal to the
 * first window's and to the known answer where the backend knows it, no NaN, at least {@code
 * minTflops} and 0.95 × the first window's rate. A host joins the GPU fleet ({@link
 * io.capstan.gpu.GpuHost}, update-with-start) and proves it lives ({@link
 * io.capstan.gpu.HostLiveness}); the fleet entity that leases devices and quarantines them, and the
 * {@code gpu} task workflow that leases, runs and releases, live in {@code
 * io.capstan.workflows.gpu}.
 */
package io.capstan.gpu;
