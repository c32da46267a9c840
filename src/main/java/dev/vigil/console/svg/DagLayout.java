package dev.vigil.console.svg;

import dev.vigil.runbook.StepGraph;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Places a step graph in layers, top to bottom, in the manner of Sugiyama: each step sits one layer
 * below the deepest step it needs (longest-path layering over {@link StepGraph}'s topological
 * order), an edge that spans several layers passes through a bend point in each layer between, and
 * the steps of a layer are ordered to reduce crossings by alternating barycenter sweeps, keeping
 * the order with the fewest crossings seen. Deterministic: ties keep file order.
 *
 * <p>Needs that name no step, and needs that would close a cycle, are left out (the runbook
 * validation reports them).
 */
final class DagLayout {
  static final double NODE_WIDTH = 170;
  static final double BEND_WIDTH = 24;
  static final double GAP_X = 24;
  static final double GAP_Y = 44;
  static final double MARGIN = 12;
  private static final int SWEEPS = 8;

  /** A step's box: its layer, its position in the layer and its top-left corner. */
  record Box(String id, int layer, int index, double x, double y) {}

  /** An edge from a needed step to the step that needs it, as a polyline of points (x, y). */
  record Route(String from, String to, List<double[]> points) {}

  /** The layout: boxes in topological order, routes, and the drawing's size. */
  record Layout(List<Box> boxes, List<Route> routes, int layers, double width, double height) {}

  /** A slot in a layer: a step or a bend point of a long edge ({@code step} null). */
  private static final class Slot {
    final String step;
    final int layer;
    final List<Slot> up = new ArrayList<>();
    final List<Slot> down = new ArrayList<>();
    int index;
    double x;

    Slot(String step, int layer) {
      this.step = step;
      this.layer = layer;
    }

    double width() {
      return step == null ? BEND_WIDTH : NODE_WIDTH;
    }
  }

  private DagLayout() {}

  /** Lays out the steps of {@code needsById} (step id to the ids it needs, in file order). */
  static Layout of(Map<String, List<String>> needsById, double nodeHeight) {
    StepGraph graph = StepGraph.build(needsById).graph();
    Map<String, Integer> layerOf = new HashMap<>();
    int depth = 0;
    for (String id : graph.order()) {
      int l = 0;
      for (String n : graph.needs(id)) {
        l = Math.max(l, layerOf.get(n) + 1);
      }
      layerOf.put(id, l);
      depth = Math.max(depth, l + 1);
    }
    List<List<Slot>> layers = new ArrayList<>();
    for (int i = 0; i < depth; i++) {
      layers.add(new ArrayList<>());
    }
    Map<String, Slot> slots = new LinkedHashMap<>();
    for (String id : graph.order()) {
      Slot s = new Slot(id, layerOf.get(id));
      slots.put(id, s);
      layers.get(s.layer).add(s);
    }
    Map<String, List<Slot>> chains = new LinkedHashMap<>();
    for (String id : graph.order()) {
      Slot to = slots.get(id);
      for (String n : graph.needs(id)) {
        Slot prev = slots.get(n);
        List<Slot> chain = new ArrayList<>(List.of(prev));
        for (int l = prev.layer + 1; l < to.layer; l++) {
          Slot bend = new Slot(null, l);
          layers.get(l).add(bend);
          link(prev, bend);
          chain.add(bend);
          prev = bend;
        }
        link(prev, to);
        chain.add(to);
        chains.put(n + "\u0000" + id, chain);
      }
    }
    order(layers);
    return place(graph, layers, slots, chains, nodeHeight);
  }

  private static void link(Slot a, Slot b) {
    a.down.add(b);
    b.up.add(a);
  }

  /** Barycenter sweeps, down then up, keeping the ordering with the fewest crossings. */
  private static void order(List<List<Slot>> layers) {
    renumber(layers);
    List<List<Slot>> best = copy(layers);
    long fewest = crossings(layers);
    for (int sweep = 0; sweep < SWEEPS && fewest > 0; sweep++) {
      boolean down = sweep % 2 == 0;
      if (down) {
        for (int l = 1; l < layers.size(); l++) {
          sortByBarycenter(layers.get(l), true);
        }
      } else {
        for (int l = layers.size() - 2; l >= 0; l--) {
          sortByBarycenter(layers.get(l), false);
        }
      }
      long c = crossings(layers);
      if (c < fewest) {
        fewest = c;
        best = copy(layers);
      }
    }
    layers.clear();
    layers.addAll(best);
    renumber(layers);
  }

  private static void sortByBarycenter(List<Slot> layer, boolean byUp) {
    Map<Slot, Double> key = new HashMap<>();
    for (Slot s : layer) {
      List<Slot> nbrs = byUp ? s.up : s.down;
      key.put(
          s,
          nbrs.isEmpty()
              ? s.index
              : nbrs.stream().mapToInt(n -> n.index).average().orElse(s.index));
    }
    layer.sort(Comparator.comparingDouble(key::get)); // stable: ties keep the current order
    for (int i = 0; i < layer.size(); i++) {
      layer.get(i).index = i;
    }
  }

  /** Pairs of edges between adjacent layers that cross. */
  static long crossings(List<List<Slot>> layers) {
    long c = 0;
    for (List<Slot> layer : layers) {
      List<int[]> edges = new ArrayList<>();
      for (Slot s : layer) {
        for (Slot d : s.down) {
          edges.add(new int[] {s.index, d.index});
        }
      }
      for (int i = 0; i < edges.size(); i++) {
        for (int j = i + 1; j < edges.size(); j++) {
          int[] a = edges.get(i);
          int[] b = edges.get(j);
          if ((long) (a[0] - b[0]) * (a[1] - b[1]) < 0) {
            c++;
          }
        }
      }
    }
    return c;
  }

  private static List<List<Slot>> copy(List<List<Slot>> layers) {
    List<List<Slot>> out = new ArrayList<>();
    layers.forEach(l -> out.add(new ArrayList<>(l)));
    return out;
  }

  private static void renumber(List<List<Slot>> layers) {
    for (List<Slot> layer : layers) {
      for (int i = 0; i < layer.size(); i++) {
        layer.get(i).index = i;
      }
    }
  }

  /** Coordinates: each layer centred on the widest, layers {@code nodeHeight + GAP_Y} apart. */
  private static Layout place(
      StepGraph graph,
      List<List<Slot>> layers,
      Map<String, Slot> slots,
      Map<String, List<Slot>> chains,
      double nodeHeight) {
    double widest = 0;
    for (List<Slot> layer : layers) {
      widest = Math.max(widest, span(layer));
    }
    for (List<Slot> layer : layers) {
      double x = MARGIN + (widest - span(layer)) / 2;
      for (Slot s : layer) {
        s.x = x;
        x += s.width() + GAP_X;
      }
    }
    List<Box> boxes = new ArrayList<>();
    for (String id : graph.order()) {
      Slot s = slots.get(id);
      boxes.add(new Box(id, s.layer, s.index, s.x, top(s.layer, nodeHeight)));
    }
    List<Route> routes = new ArrayList<>();
    chains.forEach(
        (key, chain) -> {
          List<double[]> pts = new ArrayList<>();
          Slot first = chain.get(0);
          pts.add(new double[] {centre(first), top(first.layer, nodeHeight) + nodeHeight});
          for (Slot bend : chain.subList(1, chain.size() - 1)) {
            // straight down through the bend's layer, so the curves stay between layers
            pts.add(new double[] {centre(bend), top(bend.layer, nodeHeight)});
            pts.add(new double[] {centre(bend), top(bend.layer, nodeHeight) + nodeHeight});
          }
          Slot last = chain.get(chain.size() - 1);
          pts.add(new double[] {centre(last), top(last.layer, nodeHeight)});
          routes.add(new Route(first.step, last.step, pts));
        });
    double height = layers.isEmpty() ? 0 : top(layers.size(), nodeHeight) - GAP_Y + MARGIN;
    return new Layout(boxes, routes, layers.size(), widest + 2 * MARGIN, Math.max(height, 0));
  }

  private static double span(List<Slot> layer) {
    double w = layer.stream().mapToDouble(Slot::width).sum();
    return layer.isEmpty() ? 0 : w + GAP_X * (layer.size() - 1);
  }

  private static double centre(Slot s) {
    return s.x + s.width() / 2;
  }

  private static double top(int layer, double nodeHeight) {
    return MARGIN + layer * (nodeHeight + GAP_Y);
  }
}
