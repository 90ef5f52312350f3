package dev.kelpie.coordinator.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The coordinator's folders are its architecture (README, "Layout"): each package may use those below it, never one
 * that uses it back, and the core (policy, store, alert, metrics, config, access) knows nothing of the port.
 */
class PackagesArchTest {

  private static JavaClasses coordinator;

  @BeforeAll
  static void importClasses() {
    coordinator = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.kelpie.coordinator");
  }

  @Test
  @DisplayName("the rules below look at every package of the coordinator, not at an empty set")
  void packagesAreImported() {
    assertThat(coordinator.stream().map(c -> c.getPackageName()).distinct())
      .contains("dev.kelpie.coordinator.http", "dev.kelpie.coordinator.gateway", "dev.kelpie.coordinator.access",
        "dev.kelpie.coordinator.policy", "dev.kelpie.coordinator.store", "dev.kelpie.coordinator.config");
  }

  @Test
  @DisplayName("no two packages of the coordinator import each other, directly or around a circle")
  void noCycles() {
    slices().matching("dev.kelpie.coordinator.(*)..").should().beFreeOfCycles().check(coordinator);
  }

  @Test
  @DisplayName("the core does not reach out to the port: nothing below http and gateway imports them")
  void coreKnowsNothingOfThePort() {
    noClasses().that().resideInAnyPackage("dev.kelpie.coordinator.policy..", "dev.kelpie.coordinator.store..",
        "dev.kelpie.coordinator.alert..", "dev.kelpie.coordinator.metrics..", "dev.kelpie.coordinator.config..",
        "dev.kelpie.coordinator.access..")
      .should().dependOnClassesThat().resideInAnyPackage("dev.kelpie.coordinator.http..",
        "dev.kelpie.coordinator.gateway..")
      .because("the port (http, gateway) is assembled from the core, in Coordinator; the core is tested without it")
      .check(coordinator);
  }
}
