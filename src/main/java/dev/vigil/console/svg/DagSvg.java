package dev.vigil.console.svg;

import dev.vigil.runbook.Runbook;
import dev.vigil.runbook.Step;
import dev.vigil.runbook.engine.RunRecord;
import dev.vigil.runbook.engine.StepRun;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A runbook's step graph as SVG, optionally with a run's step states: a box per step with its id,
 * kind, state (in words as well as colour), tries and duration, and an arrow from each needed step
 * to the step that needs it. Layers run top to bottom ({@link DagLayout}).
 *
 * <p>Markup: the root is {@code <svg class="dag" role="img" aria-label=...>}; each step is a {@code
 * <g class="node" data-step="ID" data-layer="N" data-state="STATE">} (no {@code data-state} without
 * a run) holding a {@code <title>}, a {@code <rect>} and {@code <text>} lines; each edge is a
 * {@code <path class="edge" data-from="NEEDED" data-to="NEEDER">} with its arrowhead in the same
 * path. Every value is XML-escaped.
 */
public final class DagSvg {
  private static final double LINE = 15;
  private static final int CHARS = 24;

  /**
   * One step to draw.
   *
   * @param needs ids of the steps it needs (unknown ids and cycles are not drawn)
   * @param state the step's state as the API writes it ({@code succeeded}, {@code timed-out}), or
   *     null when no run is shown
   * @param tries tries started, or null
   * @param duration how long it ran (so far), or null
   */
  public record Node(
      String id, String kind, List<String> needs, String state, Integer tries, Duration duration) {
    public Node {
      needs = List.copyOf(needs);
    }

    /** A step of a runbook, with no run. */
    public static Node of(String id, String kind, List<String> needs) {
      return new Node(id, kind, needs, null, null, null);
    }
  }

  private DagSvg() {}

  /** A runbook's graph with no states, for the runbooks page. */
  public static String forRunbook(Runbook rb) {
    List<Node> nodes = rb.steps().stream().map(s -> Node.of(s.id(), s.kind(), s.needs())).toList();
    return render("Runbook " + rb.name() + " step graph", nodes);
  }

  /**
   * A run's graph with each step's state. The edges come from {@code runbook}, the version the run
   * started with (its steps' {@code needs}); a step the run has and the runbook does not is drawn
   * without edges. A step still going shows its time so far, up to {@code now}.
   */
  public static String forRun(RunRecord run, Runbook runbook, Instant now) {
    Map<String, List<String>> needs = new LinkedHashMap<>();
    Map<String, String> kinds = new LinkedHashMap<>();
    if (runbook != null) {
      for (Step s : runbook.steps()) {
        needs.put(s.id(), s.needs());
        kinds.put(s.id(), s.kind());
      }
    }
    Map<String, StepRun> runs = new LinkedHashMap<>();
    run.steps().forEach(s -> runs.put(s.id(), s));
    Set<String> ids = new LinkedHashSet<>(needs.keySet());
    ids.addAll(runs.keySet());
    List<Node> nodes = new ArrayList<>();
    for (String id : ids) {
      StepRun s = runs.get(id);
      String kind = s != null ? s.kind() : kinds.get(id);
      List<String> n = needs.getOrDefault(id, List.of());
      if (s == null) {
        nodes.add(new Node(id, kind, n, "pending", 0, null));
        continue;
      }
      Duration took = null;
      if (s.startedAt() != null) {
        Instant end = s.endedAt() != null ? s.endedAt() : s.status().finished() ? null : now;
        took = end == null ? null : Duration.between(s.startedAt(), end);
      }
      nodes.add(new Node(id, kind, n, s.status().wire(), s.attempts(), took));
    }
    String title =
        "Run "
            + run.id()
            + " of runbook "
            + run.runbook()
            + " for incident "
            + run.incident()
            + ": "
            + run.status().wire();
    return render(title, nodes);
  }

  /**
   * The graph of {@code nodes} (in file order) as a standalone SVG element labelled {@code title}.
   */
  public static String render(String title, List<Node> nodes) {
    boolean states = nodes.stream().anyMatch(n -> n.state() != null);
    int lines = states ? 4 : 2;
    double height = lines * LINE + 12;
    Map<String, List<String>> needs = new LinkedHashMap<>();
    Map<String, Node> byId = new LinkedHashMap<>();
    for (Node n : nodes) {
      if (byId.putIfAbsent(n.id(), n) == null) {
        needs.put(n.id(), n.needs());
      }
    }
    DagLayout.Layout layout = DagLayout.of(needs, height);
    String label =
        title
            + ": "
            + byId.size()
            + (byId.size() == 1 ? " step, " : " steps, ")
            + layout.routes().size()
            + (layout.routes().size() == 1 ? " edge" : " edges");
    Svg svg = new Svg("dag", layout.width(), layout.height(), label);
    svg.open("g").attr("class", "edges").attr("fill", "none").attr("stroke", "#555");
    for (DagLayout.Route r : layout.routes()) {
      svg.open("path")
          .attr("class", "edge")
          .attr("data-from", r.from())
          .attr("data-to", r.to())
          .attr("d", path(r.points()))
          .title(r.to() + " needs " + r.from())
          .close();
    }
    svg.close();
    for (DagLayout.Box b : layout.boxes()) {
      node(svg, byId.get(b.id()), b, height);
    }
    return svg.finish();
  }

  private static void node(Svg svg, Node n, DagLayout.Box b, double height) {
    Colour c = Colour.of(n.state());
    String tries = n.tries() == null ? null : (n.tries() == 1 ? "1 try" : n.tries() + " tries");
    String took = n.duration() == null ? null : Svg.duration(n.duration());
    String last =
        tries == null ? took : took == null ? tries : tries + " · " + took; // either may be absent
    StringBuilder title = new StringBuilder("step ").append(n.id());
    if (n.kind() != null) {
      title.append(" (").append(n.kind()).append(')');
    }
    if (n.state() != null) {
      title.append(": ").append(n.state());
    }
    if (last != null) {
      title.append(", ").append(last);
    }
    if (!n.needs().isEmpty()) {
      title.append("; needs ").append(String.join(", ", n.needs()));
    }
    double x = b.x();
    double y = b.y();
    double cx = x + DagLayout.NODE_WIDTH / 2;
    svg.open("g")
        .attr("class", "node")
        .attr("data-step", n.id())
        .attr("data-layer", b.layer())
        .attr("data-state", n.state())
        .title(title.toString());
    svg.rect(x, y, DagLayout.NODE_WIDTH, height, "box", c.fill)
        .attr("rx", 6)
        .attr("stroke", c.stroke)
        .attr("stroke-width", 1.5)
        .attr("stroke-dasharray", "skipped".equals(n.state()) ? "4 3" : null)
        .close();
    double ty = y + 6 + LINE - 3;
    svg.open("text")
        .attr("x", cx)
        .attr("y", ty)
        .attr("class", "id")
        .attr("text-anchor", "middle")
        .attr("font-weight", "bold")
        .text(Svg.fit(n.id(), CHARS - 3))
        .close();
    svg.label(cx, ty + LINE, "kind", "middle", Svg.fit(n.kind() == null ? "?" : n.kind(), CHARS));
    if (n.state() != null) {
      svg.label(cx, ty + 2 * LINE, "state", "middle", Svg.fit(n.state(), CHARS));
      svg.label(cx, ty + 3 * LINE, "tries", "middle", last == null ? "" : Svg.fit(last, CHARS));
    }
    svg.close();
  }

  /**
   * Curves through the route's points, leaving and entering each vertically, and an open arrowhead
   * at the end, all in one path.
   */
  static String path(List<double[]> pts) {
    StringBuilder d = new StringBuilder();
    double[] p = pts.get(0);
    d.append("M").append(Svg.num(p[0])).append(' ').append(Svg.num(p[1]));
    for (int i = 1; i < pts.size(); i++) {
      double[] q = pts.get(i);
      double my = (p[1] + q[1]) / 2;
      d.append(" C").append(Svg.num(p[0])).append(' ').append(Svg.num(my));
      d.append(' ').append(Svg.num(q[0])).append(' ').append(Svg.num(my));
      d.append(' ').append(Svg.num(q[0])).append(' ').append(Svg.num(q[1]));
      p = q;
    }
    d.append(" M").append(Svg.num(p[0] - 5)).append(' ').append(Svg.num(p[1] - 7));
    d.append(" L").append(Svg.num(p[0])).append(' ').append(Svg.num(p[1]));
    d.append(" L").append(Svg.num(p[0] + 5)).append(' ').append(Svg.num(p[1] - 7));
    return d.toString();
  }

  /** Fill and outline of a step's box by state; the state is always written out as well. */
  private enum Colour {
    NONE("#ffffff", "#6c757d"),
    PENDING("#f1f3f5", "#6c757d"),
    RUNNING("#cfe2ff", "#0a58ca"),
    WAITING("#fff3cd", "#997404"),
    SUCCEEDED("#d1e7dd", "#146c43"),
    FAILED("#f8d7da", "#b02a37"),
    TIMED_OUT("#ffe5d0", "#b35c00"),
    SKIPPED("#ffffff", "#adb5bd"),
    CANCELLED("#e2e3e5", "#41464b");

    final String fill;
    final String stroke;

    Colour(String fill, String stroke) {
      this.fill = fill;
      this.stroke = stroke;
    }

    static Colour of(String state) {
      if (state == null) {
        return NONE;
      }
      for (Colour c : values()) {
        if (c.name().replace('_', '-').equalsIgnoreCase(state)) {
          return c;
        }
      }
      return NONE;
    }
  }
}
