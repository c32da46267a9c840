package dev.vigil.console;

import dev.vigil.console.svg.DagSvg;
import dev.vigil.console.svg.StatsChart;
import dev.vigil.console.svg.WeekChart;
import dev.vigil.incident.Severity;
import dev.vigil.oncall.Schedule;
import dev.vigil.oncall.ScheduleOverride;
import dev.vigil.runbook.Runbook;
import dev.vigil.runbook.engine.RunRecord;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/**
 * Where the console's pictures come from: the SVG renderers of {@code console.svg}, which escape
 * everything they draw, fed from the console's data.
 */
final class Graphs {
  private Graphs() {}

  /** A run's step graph with each step's state; without its runbook, the steps and no edges. */
  static Html.Safe run(RunRecord run, Optional<Runbook> runbook, Instant now) {
    return new Html.Safe(DagSvg.forRun(run, runbook.orElse(null), now));
  }

  /** A runbook's step graph, no states. */
  static Html.Safe runbook(Runbook runbook) {
    return new Html.Safe(DagSvg.forRunbook(runbook));
  }

  /** The coverage of every team over the week from {@code weekStart}, the axis in {@code zone}. */
  static Html.Safe week(
      Schedule schedule,
      List<ScheduleOverride> overrides,
      Instant weekStart,
      ZoneId zone,
      Instant now) {
    return new Html.Safe(WeekChart.render(schedule, overrides, weekStart, zone, now));
  }

  /** MTTA, MTTR and the auto-resolution rate per slice as bars. */
  static Html.Safe stats(String title, List<StatsView.Row> rows) {
    List<StatsChart.Group> groups =
        rows.stream()
            .map(
                r ->
                    new StatsChart.Group(
                        r.group().equals("team") ? r.label() : null,
                        r.group().equals("severity")
                            ? Severity.parse(r.label()).orElse(null)
                            : null,
                        r.stats()))
            .toList();
    return new Html.Safe(StatsChart.render(title, groups));
  }
}
