package io.capstan.gpu;

/** A device stopped answering mid-task: what CUDA reports as an unrecoverable device error. */
public final class GpuDeviceLostException extends RuntimeException {
  private final int device;

  public GpuDeviceLostException(int device, String message) {
    super(message);
    this.device = device;
  }

  public int device() {
    return device;
  }
}
