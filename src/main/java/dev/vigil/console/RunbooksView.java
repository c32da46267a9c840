package dev.vigil.console;

import dev.vigil.config.Problem;
import dev.vigil.runbook.Runbook;
import dev.vigil.runbook.RunbookCatalog;
import dev.vigil.runbook.engine.Engine;

/** The runbooks page: each file with its mode, rollout, validity, errors and step graph. */
final class RunbooksView {
  private RunbooksView() {}

  static Html.Safe render(RunbookCatalog catalog, Engine engine) {
    Html h = new Html();
    h.el("h1", "Runbooks");
    if (catalog.entries().isEmpty()) {
      h.el("p", "No runbook files are loaded (runbooks.dir).");
    }
    for (RunbookCatalog.Entry e : catalog.entries()) {
      Runbook rb = e.serving().orElse(null);
      String mode = rb == null ? "not serving" : rb.rollout().mode().wire();
      var trip = rb == null ? null : engine.trip(e.name(), rb.version()).orElse(null);
      if (trip != null) {
        mode = "manual";
      }
      h.open(
          "article",
          "class",
          "runbook",
          "data-runbook",
          e.name(),
          "aria-labelledby",
          "rb-" + e.label().hashCode());
      h.el("h2", e.name(), "id", "rb-" + e.label().hashCode());
      h.open("dl", "class", "summary");
      h.el("dt", "File").el("dd", e.label());
      h.el("dt", "Mode").open("dd");
      Layout.state(h, mode);
      if (trip != null) {
        h.text(" (rollout guard: " + trip.reason() + ")");
      }
      h.close();
      h.el("dt", "Rollout")
          .el("dd", rb == null ? "—" : rb.rollout().percent() + "% of matching incidents");
      h.el("dt", "Valid").open("dd");
      Layout.state(h, e.valid() ? "valid" : "invalid");
      if (!e.valid()) {
        h.text(rb == null ? " (nothing serves)" : " (the last good version serves)");
      }
      h.close();
      h.el("dt", "Success rate")
          .el(
              "dd",
              engine
                  .successRate(e.name())
                  .map(r -> Math.round(r * 100) + "%")
                  .orElse("no finished runs yet"));
      if (rb != null && rb.description() != null && !rb.description().isBlank()) {
        h.el("dt", "Description").el("dd", rb.description());
      }
      h.close();
      if (!e.errors().isEmpty()) {
        h.open("ul", "class", "errors", "aria-label", "Errors in " + e.label());
        for (Problem p : e.errors()) {
          h.open("li").el("code", p.toString()).close();
        }
        h.close();
      }
      if (rb != null) {
        h.safe(Graphs.runbook(rb));
      }
      h.close();
    }
    return h.done();
  }
}
