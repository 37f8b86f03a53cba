package io.capstan.api.gpu;

import io.capstan.api.http.ApiException;
import io.capstan.api.http.ErrorDetail;
import io.javalin.http.HttpStatus;
import java.util.List;

/** The fleet has no such host or device. Answered 404 with what it has. */
public class GpuDeviceNotFoundException extends ApiException {
  public GpuDeviceNotFoundException(String message, String known) {
    super(HttpStatus.NOT_FOUND, message, List.of(ErrorDetail.at("device", known)));
  }
}
