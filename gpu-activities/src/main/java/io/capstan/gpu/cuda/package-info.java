/**
 * The CUDA backend of {@link io.capstan.gpu.GpuBackend} through JavaCPP's CUDA presets: {@link
 * io.capstan.gpu.cuda.CudaGpus#detect()} finds the devices or says why there are none, and {@link
 * io.capstan.gpu.cuda.GpuBench} measures them against PyTorch ({@code bench/gpu/}). The natives and
 * how a GPU host provides CUDA 13: {@code docs/gpu-cuda.md}.
 */
package io.capstan.gpu.cuda;
