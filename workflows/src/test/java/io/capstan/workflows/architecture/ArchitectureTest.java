package io.capstan.workflows.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.capstan.definitions.DefinitionParser;
import io.capstan.definitions.Templates;
import io.capstan.definitions.archfixture.DefinitionOutsideWorkflows;
import io.capstan.definitions.archfixture.DefinitionThatKnowsTemporal;
import io.capstan.definitions.archfixture.DefinitionThatReadsTheClock;
import io.capstan.definitions.executor.EnvVar;
import io.capstan.definitions.executor.ShellSpec;
import io.capstan.definitions.pipeline.PipelineSpec;
import io.capstan.definitions.pipeline.TaskSpec;
import io.capstan.workflows.archfixture.NondeterministicWorkflowCode;
import io.capstan.workflows.archfixture.WorkflowCodeThatCallsDefinitions;
import io.capstan.workflows.job.JobWorkflowImpl;
import io.capstan.workflows.pipeline.PipelineWorkflowImpl;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The build keeps workflow code deterministic and modules in their lanes")
class ArchitectureTest {
  /** Production classes only: test fakes may sleep and read clocks. */
  static final JavaClasses PRODUCTION =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.capstan");

  static final List<ArchRule> DETERMINISM =
      List.of(
          ArchitectureRules.NO_WALL_CLOCK,
          ArchitectureRules.NO_RANDOMNESS,
          ArchitectureRules.NO_THREADS,
          ArchitectureRules.NO_IO);

  @Test
  @DisplayName("the rules see the workflows and definitions they are about")
  void importsTheModules() {
    assertThat(PRODUCTION.contain(PipelineWorkflowImpl.class)).isTrue();
    assertThat(PRODUCTION.contain(JobWorkflowImpl.class)).isTrue();
    assertThat(PRODUCTION.contain(PipelineSpec.class)).isTrue();
    assertThat(PRODUCTION.contain(NondeterministicWorkflowCode.class)).isFalse();
    assertThat(PRODUCTION.that(packageOf("io.capstan.workflows"))).hasSizeGreaterThan(10);
    assertThat(PRODUCTION.that(packageOf("io.capstan.definitions"))).hasSizeGreaterThan(10);
  }

  @Test
  @DisplayName(
      "workflow code, and the definitions code it calls, uses no wall clock, randomness, threads,"
          + " I/O or logging framework")
  void workflowCodeIsDeterministic() {
    DETERMINISM.forEach(rule -> rule.check(PRODUCTION));
  }

  @Test
  @DisplayName("each determinism rule catches the code it forbids")
  void determinismRulesCatchViolations() {
    JavaClasses bad = new ClassFileImporter().importClasses(NondeterministicWorkflowCode.class);
    for (ArchRule rule : DETERMINISM) {
      assertThat(rule.evaluate(bad).hasViolation()).as(rule.getDescription()).isTrue();
    }
    assertThat(violations(ArchitectureRules.NO_WALL_CLOCK, bad))
        .contains("currentTimeMillis", "nanoTime", "Instant.now", "LocalDateTime.now", "Clock");
    assertThat(violations(ArchitectureRules.NO_RANDOMNESS, bad))
        .contains("Math.random", "UUID.randomUUID", "ThreadLocalRandom", "SecureRandom");
    assertThat(violations(ArchitectureRules.NO_THREADS, bad))
        .contains("Thread", "ExecutorService", "CompletableFuture");
    assertThat(violations(ArchitectureRules.NO_IO, bad))
        .contains("java.nio.file.Files", "java.net", "getenv", "System.out");
  }

  @Test
  @DisplayName("the determinism rules cover the definitions code that workflow code calls")
  void determinismCoversDefinitionsThatWorkflowsCall() {
    assertThat(List.of(PipelineSpec.class, TaskSpec.class, ShellSpec.class, Templates.class))
        .allSatisfy(
            called ->
                assertThat(ArchitectureRules.WORKFLOW_CODE.test(PRODUCTION.get(called)))
                    .as(called.getName())
                    .isTrue());
    // Reached only through ShellSpec's fields: Jackson runs it to decode a workflow's input.
    assertThat(ArchitectureRules.WORKFLOW_CODE.test(PRODUCTION.get(EnvVar.ListReader.class)))
        .isTrue();
    // The parser and the schema it loads run before a run starts, never in a workflow.
    // (DefinitionSchema is package-private, hence its name.)
    assertThat(List.of(DefinitionParser.class.getName(), "io.capstan.definitions.DefinitionSchema"))
        .allSatisfy(
            parser ->
                assertThat(ArchitectureRules.WORKFLOW_CODE.test(PRODUCTION.get(parser)))
                    .as(parser)
                    .isFalse());

    JavaClasses fixtures =
        new ClassFileImporter()
            .importClasses(
                WorkflowCodeThatCallsDefinitions.class,
                DefinitionThatReadsTheClock.class,
                DefinitionOutsideWorkflows.class);

    assertThat(violations(ArchitectureRules.NO_WALL_CLOCK, fixtures))
        .contains(DefinitionThatReadsTheClock.class.getName() + ".render", "Instant.now")
        .doesNotContain(DefinitionOutsideWorkflows.class.getName());
    assertThat(ArchitectureRules.NO_IO.evaluate(fixtures).hasViolation()).isFalse();
  }

  @Test
  @DisplayName("definitions import no Temporal")
  void definitionsKnowNoTemporal() {
    ArchitectureRules.DEFINITIONS_KNOW_NO_TEMPORAL.check(PRODUCTION);
    JavaClasses bad = new ClassFileImporter().importClasses(DefinitionThatKnowsTemporal.class);
    assertThat(ArchitectureRules.DEFINITIONS_KNOW_NO_TEMPORAL.evaluate(bad).hasViolation())
        .isTrue();
  }

  @Test
  @DisplayName("workflows import no AWS, fabric8, Javalin or JavaCPP")
  void workflowsKnowNoSideEffectClients() {
    ArchitectureRules.WORKFLOWS_KNOW_NO_SIDE_EFFECT_CLIENTS.check(PRODUCTION);
    // The same rule over a package workflows do use must fail, or the rule proves nothing.
    assertThat(
            ArchitectureRules.workflowsDependOnNothingIn("io.temporal..")
                .evaluate(PRODUCTION)
                .hasViolation())
        .isTrue();
  }

  private static String violations(ArchRule rule, JavaClasses classes) {
    return String.join("\n", rule.evaluate(classes).getFailureReport().getDetails());
  }

  private static DescribedPredicate<JavaClass> packageOf(String root) {
    return JavaClass.Predicates.resideInAPackage(root + "..");
  }
}
