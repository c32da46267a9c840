package dev.vigil.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.expr.Values;
import dev.vigil.incident.IncidentId;
import dev.vigil.runbook.Rollout;
import dev.vigil.runbook.engine.RunId;
import dev.vigil.runbook.engine.RunRecord;
import dev.vigil.runbook.engine.RunStatus;
import dev.vigil.runbook.engine.StepRun;
import dev.vigil.runbook.engine.StepStatus;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The SQL of runs and their steps, and reading their rows back as {@link RunRecord}s. */
final class RunRows {
  private static final ObjectMapper JSON = new ObjectMapper();

  static final String RUN_COLUMNS =
      "id, incident_id, runbook, version, file, mode, status, concurrency_key, bindings, "
          + "started_by, created_at, started_at, ended_at, deadline, error";
  static final String UNFINISHED = "('pending', 'running', 'waiting')";

  /** A new run (14 parameters); a second automatic run for one incident inserts nothing. */
  static final String INSERT_RUN =
      "INSERT INTO runs (id, incident_id, runbook, version, file, source, mode, status, concurrency_key, "
          + "bindings, started_by, created_at, lease_owner, lease_expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
          + "ON CONFLICT (incident_id) WHERE started_by = 'auto' DO NOTHING";

  static final String INSERT_STEP =
      "INSERT INTO run_steps (run_id, step_id, pos, kind, status, attempts) VALUES (?, ?, ?, ?, ?, ?)";

  static final String UPDATE_STEP =
      "UPDATE run_steps SET status = ?, attempts = ?, started_at = ?, ended_at = ?, wake_at = ?, "
          + "output = ?, error = ?, rendered = ? WHERE run_id = ? AND step_id = ?";
  static final String UPDATE_RUN =
      "UPDATE runs SET status = ?, started_at = ?, ended_at = ?, deadline = ?, error = ? WHERE id = ?";

  // with replicas, a write applies only while this replica holds the run (fencing: a replica that
  // lost the run during a long pause finds its late writes refused, see RunStore.LeaseLost)
  static final String FENCED_STEP =
      UPDATE_STEP
          + " AND EXISTS (SELECT 1 FROM runs WHERE runs.id = run_steps.run_id AND runs.lease_owner = ?)";
  static final String FENCED_RUN = UPDATE_RUN + " AND lease_owner = ?";

  static final String COUNT_ADMITTED =
      "SELECT COUNT(*) FROM runs WHERE concurrency_key = ? AND status IN ('running', 'waiting')";

  /** The admission's update; with replicas, fenced by one more parameter, the replica's id. */
  static String admit(boolean fenced) {
    return "UPDATE runs SET status = ?, started_at = ?, deadline = ? WHERE id = ?"
        + (fenced ? " AND lease_owner = ?" : "");
  }

  static final String TRIP =
      "INSERT INTO runbook_trips (runbook, version, reason, at) VALUES (?, ?, ?, ?) "
          + "ON CONFLICT (runbook) DO UPDATE SET version = excluded.version, reason = excluded.reason, at = excluded.at";

  private RunRows() {}

  /** The parameters of {@link #INSERT_RUN} for {@code r} as run {@code id}. */
  static Object[] run(long id, RunRecord r, String leaseOwner, long leaseExpires) {
    return new Object[] {
      id,
      r.incident().number(),
      r.runbook(),
      r.version(),
      r.file(),
      r.source(),
      r.mode().wire(),
      r.status().wire(),
      r.concurrencyKey(),
      Values.json(r.bindings()),
      r.startedBy(),
      Rows.millis(r.createdAt()),
      leaseOwner,
      leaseExpires
    };
  }

  /** The parameters of {@link #INSERT_STEP} for each step of {@code r} as run {@code id}. */
  static List<Object[]> steps(long id, RunRecord r) {
    List<Object[]> out = new ArrayList<>(r.steps().size());
    int pos = 0;
    for (StepRun s : r.steps()) {
      out.add(new Object[] {id, s.id(), pos++, s.kind(), s.status().wire(), s.attempts()});
    }
    return out;
  }

  static Set<RunId> ids(RowSet<Row> rs) {
    Set<RunId> out = new HashSet<>();
    rs.forEach(r -> out.add(new RunId(Rows.getLong(r, "id"))));
    return out;
  }

  static List<RunRecord> assemble(RowSet<Row> runs, RowSet<Row> steps, boolean withSource) {
    Map<Long, List<StepRun>> byRun = new HashMap<>();
    for (Row s : steps) {
      byRun
          .computeIfAbsent(Rows.getLong(s, "run_id"), k -> new ArrayList<>())
          .add(
              new StepRun(
                  s.getString("step_id"),
                  s.getString("kind"),
                  StepStatus.parse(s.getString("status")),
                  Rows.getInt(s, "attempts"),
                  Rows.getInstant(s, "started_at"),
                  Rows.getInstant(s, "ended_at"),
                  Rows.getInstant(s, "wake_at"),
                  map(s.getString("output")),
                  s.getString("error"),
                  s.getString("rendered")));
    }
    List<RunRecord> out = new ArrayList<>();
    for (Row r : runs) {
      long id = Rows.getLong(r, "id");
      out.add(
          new RunRecord(
              new RunId(id),
              new IncidentId(Rows.getLong(r, "incident_id")),
              r.getString("runbook"),
              r.getString("version"),
              r.getString("file"),
              withSource ? r.getString("source") : null,
              Rollout.Mode.parse(r.getString("mode")).orElse(Rollout.Mode.AUTO),
              RunStatus.parse(r.getString("status")),
              r.getString("concurrency_key"),
              map(r.getString("bindings")),
              Rows.getInstant(r, "created_at"),
              Rows.getInstant(r, "started_at"),
              Rows.getInstant(r, "ended_at"),
              Rows.getInstant(r, "deadline"),
              r.getString("error"),
              r.getString("started_by"),
              byRun.getOrDefault(id, List.of())));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(String json) {
    if (json == null || json.isEmpty()) {
      return Map.of();
    }
    try {
      Object v = Values.plain(JSON.readValue(json, Object.class));
      return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    } catch (IOException e) {
      throw new IllegalStateException("store: corrupt JSON column: " + e.getMessage(), e);
    }
  }
}
