package io.capstan.workflows.fake;

import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.gpu.GpuTaskWorkflowImpl;
import io.capstan.workflows.job.JobWorkflowImpl;
import io.capstan.workflows.pipeline.PipelineWorkflowImpl;
import io.capstan.workflows.task.ContainerActivities;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A time-skipping test environment per test, laid out as Capstan's workers are: the workflows on a
 * control-plane queue of their own and the task activities on {@link TaskQueues#TASKS}, so a test
 * sees the activity calls cross queues as they do in production. Test methods take a {@link
 * WorkflowClient}, {@link WorkflowOptions} (the control-plane queue and a fresh workflow id) or the
 * {@link TestWorkflowEnvironment} as parameters.
 *
 * <p>Temporal's {@code TestWorkflowExtension} registers everything on one queue, which is why this
 * exists.
 */
public final class TaskQueueEnvironment
    implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(TaskQueueEnvironment.class);

  private final Object activities;

  TaskQueueEnvironment(Object activities) {
    this.activities = activities;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    TestWorkflowEnvironment environment = TestWorkflowEnvironment.newInstance();
    String controlPlane = "control-plane-" + UUID.randomUUID();
    WorkerOptions options =
        WorkerOptions.newBuilder()
            // Heartbeats are sent at once rather than throttled, so cancellation reaches a fake
            // activity in milliseconds.
            .setMaxHeartbeatThrottleInterval(Duration.ofMillis(20))
            .setDefaultHeartbeatThrottleInterval(Duration.ofMillis(20))
            .build();
    Worker workflows = environment.newWorker(controlPlane, options);
    workflows.registerWorkflowImplementationTypes(
        PipelineWorkflowImpl.class, JobWorkflowImpl.class, GpuTaskWorkflowImpl.class);
    Worker tasks = environment.newWorker(TaskQueues.TASKS, options);
    tasks.registerActivitiesImplementations(activities);
    if (activities instanceof ContainerActivities) {
      environment
          .newWorker(TaskQueues.INFRASTRUCTURE, options)
          .registerActivitiesImplementations(activities);
    }
    environment.start();
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    store.put(TestWorkflowEnvironment.class, environment);
    store.put(
        WorkflowOptions.class,
        WorkflowOptions.newBuilder()
            .setTaskQueue(controlPlane)
            .setWorkflowId(UUID.randomUUID().toString())
            .build());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    TestWorkflowEnvironment environment =
        context
            .getStore(NAMESPACE)
            .remove(TestWorkflowEnvironment.class, TestWorkflowEnvironment.class);
    if (environment != null) {
      environment.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == WorkflowClient.class
        || type == WorkflowOptions.class
        || type == TestWorkflowEnvironment.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    ExtensionContext.Store store = context.getStore(NAMESPACE);
    TestWorkflowEnvironment environment =
        store.get(TestWorkflowEnvironment.class, TestWorkflowEnvironment.class);
    if (type == WorkflowClient.class) {
      return environment.getWorkflowClient();
    }
    if (type == WorkflowOptions.class) {
      return store.get(WorkflowOptions.class, WorkflowOptions.class);
    }
    return environment;
  }
}
