package io.capstan.api.intake;

import io.capstan.api.http.ApiException;
import io.capstan.api.http.ErrorDetail;
import io.capstan.definitions.Problem;
import io.javalin.http.HttpStatus;
import java.util.List;

/**
 * A valid definition uses an executor that no worker serves yet, such as {@code container} before
 * the Kubernetes issue lands. Answered 422, with each such task's path and position.
 */
public class UnservedExecutorException extends ApiException {
  private final List<Problem> problems;

  public UnservedExecutorException(List<Problem> problems) {
    super(
        HttpStatus.UNPROCESSABLE_CONTENT,
        problems.size() == 1
            ? problems.get(0).message()
            : "the definition uses executors that no worker serves yet",
        problems.stream().map(ErrorDetail::of).toList());
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }
}
