package dev.vigil.runbook;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A runbook's step graph as text (edges are the needs edges, each node labelled with its step id
 * and kind), for {@code vigil graph} and {@code GET /api/v1/runbooks/{name}/graph}.
 */
public final class RunbookGraph {
  /** Output formats. */
  public enum Format {
    mermaid,
    dot
  }

  private RunbookGraph() {}

  /** The graph text in {@code format}. */
  public static String render(Runbook rb, Format format) {
    Map<String, String> labels = new LinkedHashMap<>();
    rb.steps().forEach(s -> labels.put(s.id(), s.id() + " (" + s.kind() + ")"));
    return format == Format.dot ? rb.graph().dot(rb.name(), labels) : rb.graph().mermaid(labels);
  }
}
