package dev.vigil.console;

import dev.vigil.runbook.Runbook;
import dev.vigil.runbook.engine.StepRun;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where the console's pictures come from: the SVG renderers, fed from the console's data. */
final class Graphs {
  private Graphs() {}

  /** A run's step graph with each step's state; nothing when the runbook cannot be read. */
  static Html.Safe run(Optional<Runbook> runbook, Map<String, String> states, List<StepRun> steps) {
    return new Html.Safe("");
  }

  /** The coverage of every team over {@code length} from {@code from}, the axis in {@code zone}. */
  static Html.Safe week(
      dev.vigil.oncall.Schedule schedule,
      List<dev.vigil.oncall.ScheduleOverride> overrides,
      java.time.Instant from,
      java.time.Duration length,
      java.time.ZoneId zone) {
    return new Html.Safe("");
  }

  /** MTTA and MTTR per slice as bars. */
  static Html.Safe stats(List<StatsView.Row> rows) {
    return new Html.Safe("");
  }

  /** A runbook's step graph, no states. */
  static Html.Safe runbook(Runbook runbook) {
    return new Html.Safe("");
  }
}
