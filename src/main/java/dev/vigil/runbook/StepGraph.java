package dev.vigil.runbook;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jgrapht.Graphs;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.graph.DirectedAcyclicGraph;
import org.jgrapht.traverse.TopologicalOrderIterator;

/**
 * The steps of a runbook as a directed acyclic graph, edges from a needed step to the step that
 * needs it. Built once at load with JGraphT's {@link DirectedAcyclicGraph} (which refuses an edge
 * that would close a cycle) and kept as immutable lists, so any thread may read it.
 */
public final class StepGraph {
  private final List<String> order;
  private final Map<String, List<String>> needs;
  private final Map<String, List<String>> dependants;
  private final Map<String, Set<String>> ancestors;

  private StepGraph(
      List<String> order,
      Map<String, List<String>> needs,
      Map<String, List<String>> dependants,
      Map<String, Set<String>> ancestors) {
    this.order = List.copyOf(order);
    this.needs = needs;
    this.dependants = dependants;
    this.ancestors = ancestors;
  }

  /**
   * A {@code needs} entry that would close a cycle, and the cycle it closes in {@code needs}
   * direction.
   */
  public record Cycle(String step, int needIndex, List<String> path) {
    /** {@code a -> b -> c -> a}: a needs b, b needs c, c needs a. */
    public String text() {
      return String.join(" -> ", path);
    }
  }

  /** The graph, plus the cycles found (the edges closing them are left out of the graph). */
  public record Built(StepGraph graph, List<Cycle> cycles) {}

  /**
   * Builds the graph. {@code needs} maps each step id (in file order) to the ids it needs; ids that
   * are not steps must already have been reported and are ignored here.
   */
  public static Built build(Map<String, List<String>> needsById) {
    List<String> ids = new ArrayList<>(needsById.keySet());
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < ids.size(); i++) {
      index.put(ids.get(i), i);
    }
    DirectedAcyclicGraph<String, DefaultEdge> dag = new DirectedAcyclicGraph<>(DefaultEdge.class);
    ids.forEach(dag::addVertex);
    List<Cycle> cycles = new ArrayList<>();
    Map<String, List<String>> kept = new LinkedHashMap<>();
    for (String id : ids) {
      List<String> mine = new ArrayList<>();
      List<String> wanted = needsById.get(id);
      for (int i = 0; i < wanted.size(); i++) {
        String need = wanted.get(i);
        if (!dag.containsVertex(need) || mine.contains(need)) {
          continue;
        }
        if (need.equals(id)) {
          cycles.add(new Cycle(id, i, List.of(id, id)));
          continue;
        }
        try {
          dag.addEdge(need, id);
          mine.add(need);
        } catch (IllegalArgumentException closesCycle) {
          cycles.add(new Cycle(id, i, cycleThrough(dag, id, need)));
        }
      }
      kept.put(id, List.copyOf(mine));
    }
    List<String> order = new ArrayList<>();
    new TopologicalOrderIterator<>(dag, Comparator.comparing(index::get))
        .forEachRemaining(order::add);
    Map<String, List<String>> dependants = new LinkedHashMap<>();
    Map<String, Set<String>> ancestors = new LinkedHashMap<>();
    for (String id : ids) {
      List<String> d = new ArrayList<>(Graphs.successorListOf(dag, id));
      d.sort(Comparator.comparing(index::get));
      dependants.put(id, List.copyOf(d));
      List<String> a = new ArrayList<>(dag.getAncestors(id));
      a.sort(Comparator.comparing(index::get));
      ancestors.put(id, Collections.unmodifiableSet(new LinkedHashSet<>(a)));
    }
    return new Built(
        new StepGraph(
            order,
            Collections.unmodifiableMap(kept),
            Collections.unmodifiableMap(dependants),
            Collections.unmodifiableMap(ancestors)),
        List.copyOf(cycles));
  }

  /**
   * {@code step} wants to need {@code need}, but {@code need} already (transitively) needs {@code
   * step}: the path step → ... → need in run order, read backwards, is the cycle.
   */
  private static List<String> cycleThrough(
      DirectedAcyclicGraph<String, DefaultEdge> dag, String step, String need) {
    Map<String, String> parent = new HashMap<>();
    Deque<String> queue = new ArrayDeque<>(List.of(step));
    parent.put(step, step);
    while (!queue.isEmpty()) {
      String v = queue.poll();
      if (v.equals(need)) {
        break;
      }
      for (String s : Graphs.successorListOf(dag, v)) {
        if (parent.putIfAbsent(s, v) == null) {
          queue.add(s);
        }
      }
    }
    List<String> runOrder = new ArrayList<>();
    for (String v = need; !v.equals(step); v = parent.get(v)) {
      runOrder.add(v);
    }
    List<String> path = new ArrayList<>();
    path.add(step);
    path.addAll(runOrder); // need first, back towards step: each needs the next
    path.add(step);
    return path;
  }

  /** Step ids in an order in which they can run; ties keep file order, so the output is stable. */
  public List<String> order() {
    return order;
  }

  /** The steps {@code id} needs directly. */
  public List<String> needs(String id) {
    return needs.getOrDefault(id, List.of());
  }

  /** The steps that need {@code id} directly. */
  public List<String> dependants(String id) {
    return dependants.getOrDefault(id, List.of());
  }

  /**
   * Every step that must finish before {@code id} starts (what {@code id} may read as {@code
   * steps.X}).
   */
  public Set<String> ancestors(String id) {
    return ancestors.getOrDefault(id, Set.of());
  }

  /** Steps that need nothing: where a run starts. */
  public List<String> roots() {
    return order.stream().filter(id -> needs(id).isEmpty()).toList();
  }

  /** A Mermaid flowchart whose edges are exactly the {@code needs} edges (needed --> needer). */
  public String mermaid(Map<String, String> labels) {
    StringBuilder sb = new StringBuilder("flowchart TD\n");
    for (String id : order) {
      sb.append("  ")
          .append(id)
          .append("[\"")
          .append(escapeMermaid(labels.getOrDefault(id, id)))
          .append("\"]\n");
    }
    for (String id : order) {
      for (String n : needs(id)) {
        sb.append("  ").append(n).append(" --> ").append(id).append('\n');
      }
    }
    return sb.toString();
  }

  /** The same graph in Graphviz DOT. */
  public String dot(String name, Map<String, String> labels) {
    StringBuilder sb =
        new StringBuilder("digraph \"").append(escapeDot(name)).append("\" {\n  rankdir=TB;\n");
    for (String id : order) {
      sb.append("  \"")
          .append(id)
          .append("\" [label=\"")
          .append(escapeDot(labels.getOrDefault(id, id)))
          .append("\"];\n");
    }
    for (String id : order) {
      for (String n : needs(id)) {
        sb.append("  \"").append(n).append("\" -> \"").append(id).append("\";\n");
      }
    }
    return sb.append("}\n").toString();
  }

  private static String escapeMermaid(String s) {
    return s.replace("\"", "#quot;").replace("\n", " ");
  }

  private static String escapeDot(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ");
  }
}
