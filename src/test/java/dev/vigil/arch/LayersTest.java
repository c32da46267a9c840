package dev.vigil.arch;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import org.junit.jupiter.api.Test;

/**
 * Vigil's package layers, as docs/architecture.md draws them, from the bottom:
 *
 * <ol>
 *   <li>foundation: {@code config}, {@code timer}, {@code ha} (replica identity and leases), {@code
 *       web} (request plumbing every HTTP entry shares), {@code ports} (what a store port may
 *       throw, and how a failure reads in one line);
 *   <li>domain: {@code alert}, {@code incident}, {@code oncall}, {@code classify}, {@code expr},
 *       {@code stats};
 *   <li>services: {@code escalation}, {@code runbook}, {@code notify}, {@code ingest} (the alert
 *       pipeline), {@code heartbeat}, {@code telemetry};
 *   <li>adapters: {@code store}, {@code http}, {@code slack} (its messages, commands and buttons),
 *       {@code cli}, {@code client}, {@code console} (the web console and its SVG drawings);
 *   <li>wiring: the classes of {@code dev.vigil} itself ({@code Main}, {@code ServeCommand}, {@code
 *       Daemon}) and {@code wiring}, the pieces {@code Daemon} assembles a daemon from.
 * </ol>
 *
 * A layer may use the layers below it and its own; nothing may use a layer above it, and no two
 * packages may depend on each other, however long the path between them. Production classes only.
 */
class LayersTest {
  private static final JavaClasses VIGIL =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.vigil");

  @Test
  void layersOnlyUseTheLayersBelowThem() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("Foundation")
        .definedBy(
            "dev.vigil.config..",
            "dev.vigil.timer..",
            "dev.vigil.ha..",
            "dev.vigil.web..",
            "dev.vigil.ports..")
        .layer("Domain")
        .definedBy(
            "dev.vigil.alert..",
            "dev.vigil.incident..",
            "dev.vigil.oncall..",
            "dev.vigil.classify..",
            "dev.vigil.expr..",
            "dev.vigil.stats..")
        .layer("Services")
        .definedBy(
            "dev.vigil.escalation..",
            "dev.vigil.runbook..",
            "dev.vigil.notify..",
            "dev.vigil.ingest..",
            "dev.vigil.heartbeat..",
            "dev.vigil.telemetry..")
        .layer("Adapters")
        .definedBy(
            "dev.vigil.store..",
            "dev.vigil.http..",
            "dev.vigil.slack..",
            "dev.vigil.cli..",
            "dev.vigil.client..",
            "dev.vigil.console..")
        .layer("Wiring")
        .definedBy("dev.vigil", "dev.vigil.wiring..")
        .whereLayer("Wiring")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("Adapters")
        .mayOnlyBeAccessedByLayers("Wiring")
        .whereLayer("Services")
        .mayOnlyBeAccessedByLayers("Adapters", "Wiring")
        .whereLayer("Domain")
        .mayOnlyBeAccessedByLayers("Services", "Adapters", "Wiring")
        .whereLayer("Foundation")
        .mayOnlyBeAccessedByLayers("Domain", "Services", "Adapters", "Wiring")
        .check(VIGIL);
  }

  @Test
  void everyClassIsInALayer() {
    ArchRuleDefinition.classes()
        .should()
        .resideInAnyPackage(
            "dev.vigil",
            "dev.vigil.config..",
            "dev.vigil.timer..",
            "dev.vigil.ha..",
            "dev.vigil.web..",
            "dev.vigil.ports..",
            "dev.vigil.alert..",
            "dev.vigil.incident..",
            "dev.vigil.oncall..",
            "dev.vigil.classify..",
            "dev.vigil.expr..",
            "dev.vigil.stats..",
            "dev.vigil.escalation..",
            "dev.vigil.runbook..",
            "dev.vigil.notify..",
            "dev.vigil.ingest..",
            "dev.vigil.heartbeat..",
            "dev.vigil.telemetry..",
            "dev.vigil.store..",
            "dev.vigil.http..",
            "dev.vigil.slack..",
            "dev.vigil.cli..",
            "dev.vigil.client..",
            "dev.vigil.console..",
            "dev.vigil.wiring..")
        .because("a new package has to be given a layer here and in docs/architecture.md")
        .check(VIGIL);
  }

  /**
   * The wiring layer builds and connects parts; anything that decides or delivers belongs in a
   * layer below.
   */
  @Test
  void theRootPackageOnlyWires() {
    ArchRuleDefinition.classes()
        .that()
        .resideInAPackage("dev.vigil")
        .should()
        .haveNameMatching("dev\\.vigil\\.(Main|ServeCommand|Daemon)(\\$.*)?")
        .because("Main parses the command line, ServeCommand runs the daemon and Daemon wires it")
        .check(VIGIL);
  }

  @Test
  void topLevelPackagesHaveNoCycles() {
    slices().matching("dev.vigil.(*)..").should().beFreeOfCycles().check(VIGIL);
  }

  @Test
  void noPackageCycleEvenBetweenSubpackages() {
    slices().matching("dev.vigil.(**)").should().beFreeOfCycles().check(VIGIL);
  }
}
