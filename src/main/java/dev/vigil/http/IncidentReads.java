package dev.vigil.http;

import dev.vigil.incident.Incident;
import dev.vigil.incident.IncidentId;
import dev.vigil.incident.IncidentQuery;
import dev.vigil.incident.IncidentStore;
import dev.vigil.incident.StoredAlert;
import dev.vigil.incident.TimelineEvent;
import dev.vigil.runbook.engine.RunRecord;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads incidents with their alerts, timeline and runbook runs: the one path by which both the JSON
 * API ({@link IncidentApi}, {@link TimelineApi}) and the web console get incident and run data.
 */
public final class IncidentReads {
  /** An incident as stored, with its alerts, its timeline and its runs (oldest first). */
  public record Detail(
      Incident incident,
      List<StoredAlert> alerts,
      List<TimelineEvent> timeline,
      List<RunRecord> runs) {
    public Detail {
      alerts = List.copyOf(alerts);
      timeline = List.copyOf(timeline);
      runs = List.copyOf(runs);
    }
  }

  private final IncidentStore store;
  private final Function<IncidentId, Future<List<RunRecord>>> runs;

  /**
   * @param runs an incident's runbook runs, oldest first
   */
  public IncidentReads(IncidentStore store, Function<IncidentId, Future<List<RunRecord>>> runs) {
    this.store = store;
    this.runs = runs;
  }

  /** Incidents matching {@code query}, newest first. */
  public Future<List<Incident>> list(IncidentQuery query) {
    return store.list(query);
  }

  /** The incident with everything about it, or empty when there is no such incident. */
  public Future<Optional<Detail>> detail(IncidentId id) {
    return store
        .get(id)
        .compose(
            found -> {
              if (found.isEmpty()) {
                return Future.succeededFuture(Optional.empty());
              }
              Future<List<StoredAlert>> alerts = store.alerts(id);
              Future<List<TimelineEvent>> timeline = store.timeline(id);
              Future<List<RunRecord>> rs = runs.apply(id);
              return Future.all(alerts, timeline, rs)
                  .map(
                      v ->
                          Optional.of(
                              new Detail(
                                  found.get(), alerts.result(), timeline.result(), rs.result())));
            });
  }

  /** An incident's runbook runs, oldest first. */
  public Future<List<RunRecord>> runs(IncidentId id) {
    return runs.apply(id);
  }

  /** The latest run of each of {@code incidents} that has one. */
  public Future<Map<IncidentId, RunRecord>> latestRuns(List<Incident> incidents) {
    List<Future<List<RunRecord>>> each = new ArrayList<>();
    incidents.forEach(i -> each.add(runs.apply(i.id())));
    return Future.all(each)
        .map(
            v -> {
              Map<IncidentId, RunRecord> out = new LinkedHashMap<>();
              for (int k = 0; k < incidents.size(); k++) {
                List<RunRecord> rs = each.get(k).result();
                if (!rs.isEmpty()) {
                  out.put(incidents.get(k).id(), rs.get(rs.size() - 1));
                }
              }
              return out;
            });
  }
}
