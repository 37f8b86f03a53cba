package io.capstan.api;

import static io.javalin.apibuilder.ApiBuilder.delete;
import static io.javalin.apibuilder.ApiBuilder.get;
import static io.javalin.apibuilder.ApiBuilder.path;
import static io.javalin.apibuilder.ApiBuilder.post;

import io.capstan.api.auth.Authenticator;
import io.capstan.api.codec.CodecController;
import io.capstan.api.gpu.GpuController;
import io.capstan.api.http.HttpMetrics;
import io.capstan.api.http.Json;
import io.capstan.api.http.JsonErrorHandler;
import io.capstan.api.http.RequestBodies;
import io.capstan.api.intake.DefinitionIntake;
import io.capstan.api.runs.LocalRunIndex;
import io.capstan.api.runs.RunControl;
import io.capstan.api.runs.RunInspector;
import io.capstan.api.runs.RunLister;
import io.capstan.api.runs.RunLogs;
import io.capstan.api.runs.RunOutputs;
import io.capstan.api.runs.RunStarter;
import io.capstan.api.runs.RunUpdates;
import io.capstan.api.runs.RunsController;
import io.capstan.api.runs.Segments;
import io.capstan.api.runs.TemporalRuns;
import io.capstan.api.schedules.JobSchedules;
import io.capstan.api.schedules.SchedulesController;
import io.capstan.api.system.SystemController;
import io.capstan.api.validation.ValidationController;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.javalin.json.JavalinJackson;

/**
 * Builds the HTTP API of SPEC.md from its dependencies, behind the authentication its {@link
 * ApiDependencies#security()} configures. The caller starts it on the port it chooses; tests run it
 * with {@code JavalinTest}, on no fixed port.
 */
public final class ApiApp {
  /**
   * The largest request line and header block accepted: room for a long query of parameter
   * overrides, far below a body's limit.
   */
  static final int HEADER_LIMIT = 16 * 1024;

  private ApiApp() {}

  /** An unstarted Javalin instance serving every route of the API. */
  public static Javalin create(ApiDependencies deps) {
    TemporalRuns temporalRuns = new TemporalRuns(deps.client());
    LocalRunIndex index = new LocalRunIndex();
    Segments segments = new Segments(temporalRuns, deps.outputs());
    DefinitionIntake intake = new DefinitionIntake(deps.servedExecutors());
    JobSchedules jobSchedules = new JobSchedules(deps.client(), deps.temporal());
    RunsController runs =
        new RunsController(
            intake,
            new RunStarter(temporalRuns, deps.temporal(), index, jobSchedules, deps.outputs()),
            new RunInspector(temporalRuns, deps.temporal(), segments),
            new RunLister(temporalRuns, deps.temporal(), index),
            new RunControl(temporalRuns, segments),
            new RunUpdates(temporalRuns));
    RunOutputs outputs =
        new RunOutputs(new RunInspector(temporalRuns, deps.temporal(), segments), deps.outputs());
    RunLogs logs =
        new RunLogs(new RunInspector(temporalRuns, deps.temporal(), segments), deps.outputs());
    SchedulesController schedules = new SchedulesController(jobSchedules);
    ValidationController validation = new ValidationController(intake);
    GpuController gpu = new GpuController(deps.client());
    SystemController system =
        new SystemController(
            deps.temporal(), deps.metrics(), deps.servedExecutors(), deps.kubernetes(), deps.aws());
    CodecController codec = new CodecController(deps.codec(), deps.temporal().ui());
    Authenticator authenticator = new Authenticator(deps.security());
    HttpMetrics httpMetrics = new HttpMetrics(deps.metrics());

    Javalin app =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.http.maxRequestSize = RequestBodies.LIMIT;
              config.http.prefer405over404 = true;
              // Requests Jetty refuses before Javalin sees them answer in the API's error body too.
              config.jetty.modifyServer(
                  server -> server.setErrorHandler(new JsonErrorHandler(HEADER_LIMIT)));
              config.jetty.modifyHttpConfiguration(
                  http -> {
                    http.setRequestHeaderSize(HEADER_LIMIT);
                    http.setSendServerVersion(false);
                  });
              config.jsonMapper(new JavalinJackson(Json.mapper(), false));
              config.requestLogger.http(httpMetrics::record);
              config.router.apiBuilder(
                  () -> {
                    path(
                        "api/v1",
                        () -> {
                          path(
                              "runs",
                              () -> {
                                post(runs::submit);
                                get(runs::list);
                                path(
                                    "{id}",
                                    () -> {
                                      get(runs::get);
                                      post("signals/{name}", runs::signal);
                                      post("cancel", runs::cancel);
                                      post("tasks/{task}/retry", runs::retryTask);
                                      post("updates/{name}", runs::update);
                                      get("tasks/{task}/output", outputs::get);
                                      get("tasks/{task}/logs", logs::get);
                                    });
                              });
                          path(
                              "schedules",
                              () -> {
                                get(schedules::list);
                                path(
                                    "{id}",
                                    () -> {
                                      get(schedules::get);
                                      delete(schedules::delete);
                                      post("pause", schedules::pause);
                                      post("unpause", schedules::unpause);
                                      post("trigger", schedules::trigger);
                                      post("backfill", schedules::backfill);
                                    });
                              });
                          path(
                              "gpu",
                              () -> {
                                get(gpu::get);
                                post("hosts/{host}/devices/{device}/quarantine", gpu::quarantine);
                                post("hosts/{host}/devices/{device}/restore", gpu::restore);
                              });
                          post("validate", validation::validate);
                          get("info", system::info);
                          get("openapi.json", system::openApi);
                        });
                    path(
                        "codec",
                        () -> {
                          post("encode", codec::encode);
                          post("decode", codec::decode);
                        });
                    get("healthz", system::health);
                    get("metrics", system::metrics);
                  });
            });
    app.options(CodecController.PATH + "/encode", codec::preflight);
    app.options(CodecController.PATH + "/decode", codec::preflight);
    // CORS headers come first, so that a browser can read even a refusal of the codec routes.
    app.before(CodecController.PATH + "/*", codec::cors);
    // Who is calling is decided before anything else about the request, so an unauthenticated
    // caller learns nothing, not even whether its body would have been too large.
    app.before(authenticator::handle);
    // An oversized body is refused from its declared length, before a byte of it is read.
    app.before(
        ctx -> {
          if (ctx.method() == HandlerType.POST) {
            RequestBodies.checkDeclaredLength(ctx);
          }
        });
    ErrorMappers.register(app, deps.temporal());
    return app;
  }
}
