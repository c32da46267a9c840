package dev.vigil.console.svg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.config.Problems;
import dev.vigil.console.svg.DagSvg.Node;
import dev.vigil.incident.IncidentId;
import dev.vigil.runbook.Rollout;
import dev.vigil.runbook.Runbook;
import dev.vigil.runbook.RunbookReader;
import dev.vigil.runbook.engine.RunId;
import dev.vigil.runbook.engine.RunRecord;
import dev.vigil.runbook.engine.RunStatus;
import dev.vigil.runbook.engine.StepRun;
import dev.vigil.runbook.engine.StepStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

class DagSvgTest {
  static final String DIAMOND =
      """
      name: diamond
      match: ['alertname = "X"']
      steps:
        - { id: a, wait: 1s }
        - { id: b, needs: [a], wait: 1s }
        - { id: c, needs: [a], wait: 1s }
        - { id: d, needs: [b, c], wait: 1s }
      """;

  static Runbook diamond() {
    Problems problems = new Problems();
    Runbook rb =
        new RunbookReader(List.of(), List.of())
            .parse(
                DIAMOND.getBytes(StandardCharsets.UTF_8),
                Path.of("diamond.yaml"),
                "diamond.yaml",
                problems)
            .orElseThrow(() -> new AssertionError(problems.toString()));
    return rb;
  }

  static Element node(SvgDoc svg, String id) {
    return svg.one("//g[@class='node'][@data-step='" + id + "']");
  }

  static Element box(SvgDoc svg, String id) {
    return (Element) node(svg, id).getElementsByTagName("rect").item(0);
  }

  static Set<String> edges(SvgDoc svg) {
    return svg.all("//path[@class='edge']").stream()
        .map(e -> e.getAttribute("data-from") + "->" + e.getAttribute("data-to"))
        .collect(Collectors.toSet());
  }

  @Test
  void aDiamondHasFourNodesFourEdgesAndThreeLayersTopToBottom() {
    SvgDoc svg = new SvgDoc(DagSvg.forRunbook(diamond()));
    assertThat(svg.all("//g[@class='node']")).hasSize(4);
    assertThat(edges(svg)).containsExactlyInAnyOrder("a->b", "a->c", "b->d", "c->d");
    assertThat(svg.all("//g[@class='node']").stream().map(e -> e.getAttribute("data-layer")))
        .containsExactly("0", "1", "1", "2");
    double ya = SvgDoc.num(box(svg, "a"), "y");
    double yb = SvgDoc.num(box(svg, "b"), "y");
    double yc = SvgDoc.num(box(svg, "c"), "y");
    double yd = SvgDoc.num(box(svg, "d"), "y");
    assertThat(ya).isLessThan(yb);
    assertThat(yb).isEqualTo(yc).isLessThan(yd);
    assertThat(SvgDoc.num(box(svg, "b"), "x")).isLessThan(SvgDoc.num(box(svg, "c"), "x"));
    assertThat(svg.root().getAttribute("aria-label"))
        .isEqualTo("Runbook diamond step graph: 4 steps, 4 edges");
    assertThat(SvgDoc.title(node(svg, "d"))).isEqualTo("step d (wait); needs b, c");
    assertThat(node(svg, "a").hasAttribute("data-state")).as("no run, no state").isFalse();
    assertThat(svg.text.length()).as("small").isLessThan(4000);
  }

  @Test
  void aRunShowsEachStepsStateInTextAndColourWithTriesAndDuration() {
    Instant t0 = Instant.parse("2026-11-30T10:00:00Z");
    RunRecord run =
        new RunRecord(
            new RunId(7),
            new IncidentId(3),
            "diamond",
            "v1",
            "diamond.yaml",
            DIAMOND,
            Rollout.Mode.AUTO,
            RunStatus.RUNNING,
            null,
            Map.of(),
            t0,
            t0,
            null,
            null,
            null,
            "auto",
            List.of(
                step("a", StepStatus.SUCCEEDED, 1, t0, t0.plusMillis(1500)),
                step("b", StepStatus.FAILED, 3, t0.plusSeconds(2), t0.plusSeconds(95)),
                step("c", StepStatus.RUNNING, 1, t0.plusSeconds(2), null),
                StepRun.pending("d", "wait")));
    SvgDoc svg = new SvgDoc(DagSvg.forRun(run, diamond(), t0.plusSeconds(12)));
    assertThat(svg.all("//g[@class='node']")).hasSize(4);
    assertThat(edges(svg)).hasSize(4);
    assertThat(svg.all("//g[@class='node']").stream().map(e -> e.getAttribute("data-state")))
        .containsExactly("succeeded", "failed", "running", "pending");
    assertThat(text(node(svg, "a"))).containsExactly("a", "wait", "succeeded", "1 try · 1.5s");
    assertThat(text(node(svg, "b"))).containsExactly("b", "wait", "failed", "3 tries · 1m33s");
    assertThat(text(node(svg, "c")))
        .as("a running step's time so far")
        .containsExactly("c", "wait", "running", "1 try · 10.0s");
    assertThat(text(node(svg, "d"))).containsExactly("d", "wait", "pending", "0 tries");
    assertThat(box(svg, "a").getAttribute("fill")).isNotEqualTo(box(svg, "b").getAttribute("fill"));
    assertThat(svg.root().getAttribute("aria-label"))
        .startsWith("Run RUN-7 of runbook diamond for incident INC-3: running")
        .contains("running");
  }

  static StepRun step(String id, StepStatus s, int tries, Instant start, Instant end) {
    return new StepRun(id, "wait", s, tries, start, end, null, Map.of(), null, null);
  }

  static List<String> text(Element node) {
    List<String> out = new ArrayList<>();
    var nl = node.getElementsByTagName("text");
    for (int i = 0; i < nl.getLength(); i++) {
      out.add(nl.item(i).getTextContent());
    }
    return out;
  }

  @Test
  void hostileIdsAndKindsComeOutAsText() {
    String evil = "<script>alert(1)</script>";
    String svgText =
        DagSvg.render(
            "graph of \"" + evil + "\" & more",
            List.of(
                new Node(evil, "<b>x</b>", List.of(), "'fail\"ed'", 1, null),
                new Node("b", "wait", List.of(evil), "succeeded", 1, null)));
    SvgDoc svg = new SvgDoc(svgText);
    assertThat(svg.doc.getElementsByTagName("script").getLength()).isZero();
    assertThat(svg.doc.getElementsByTagName("b").getLength()).isZero();
    assertThat(svgText).doesNotContain("<script").doesNotContain("<b>");
    Element n = svg.one("//g[@class='node'][@data-step='" + evil + "']");
    assertThat(SvgDoc.title(n)).isEqualTo("step " + evil + " (<b>x</b>): 'fail\"ed', 1 try");
    assertThat(n.getAttribute("data-state")).isEqualTo("'fail\"ed'");
    assertThat(svg.one("//path[@class='edge']").getAttribute("data-from")).isEqualTo(evil);
    assertThat(svg.root().getAttribute("aria-label"))
        .startsWith("graph of \"" + evil + "\" & more");
  }

  @Test
  void controlCharactersAreReplacedSoTheXmlStaysWellFormed() {
    SvgDoc svg =
        new SvgDoc(DagSvg.render("x\u0000y\uD800", List.of(Node.of("a\u0007", "k", List.of()))));
    assertThat(svg.root().getAttribute("aria-label")).startsWith("x\uFFFDy\uFFFD");
  }

  @Test
  void theBarycenterPassUncrossesEdgesThatFileOrderWouldCross() {
    // file order puts c (needs b) before d (needs a): drawn in that order, the edges cross
    SvgDoc svg =
        new SvgDoc(
            DagSvg.render(
                "x",
                List.of(
                    Node.of("a", "wait", List.of()),
                    Node.of("b", "wait", List.of()),
                    Node.of("c", "wait", List.of("b")),
                    Node.of("d", "wait", List.of("a")))));
    assertThat(SvgDoc.num(box(svg, "a"), "x")).isLessThan(SvgDoc.num(box(svg, "b"), "x"));
    assertThat(SvgDoc.num(box(svg, "d"), "x")).isLessThan(SvgDoc.num(box(svg, "c"), "x"));
  }

  @Test
  void anEdgeOverSeveralLayersBendsBetweenThem() {
    SvgDoc svg =
        new SvgDoc(
            DagSvg.render(
                "x",
                List.of(
                    Node.of("a", "wait", List.of()),
                    Node.of("b", "wait", List.of("a")),
                    Node.of("c", "wait", List.of("b")),
                    Node.of("d", "wait", List.of("a", "c")))));
    assertThat(svg.all("//g[@class='node']").stream().map(e -> e.getAttribute("data-layer")))
        .containsExactly("0", "1", "2", "3");
    String d = svg.one("//path[@data-from='a'][@data-to='d']").getAttribute("d");
    assertThat(d.split("C")).as("three curves and two straight runs through two bends").hasSize(6);
    String shortEdge = svg.one("//path[@data-from='a'][@data-to='b']").getAttribute("d");
    assertThat(shortEdge.split("C")).hasSize(2);
    // the long edge does not pass through b's or c's box
    double bx = SvgDoc.num(box(svg, "b"), "x");
    double bend = Double.parseDouble(d.split("C")[2].trim().split(" ")[0]);
    assertThat(bend < bx || bend > bx + DagLayout.NODE_WIDTH).isTrue();
  }

  @Test
  void unknownNeedsCyclesAndEmptyGraphsStillDraw() {
    SvgDoc svg =
        new SvgDoc(
            DagSvg.render(
                "x",
                List.of(
                    Node.of("a", "wait", List.of("ghost", "b")),
                    Node.of("b", "wait", List.of("a")))));
    assertThat(svg.all("//g[@class='node']")).hasSize(2);
    assertThat(edges(svg)).hasSize(1);
    SvgDoc empty = new SvgDoc(DagSvg.render("nothing", List.of()));
    assertThat(empty.all("//g[@class='node']")).isEmpty();
    assertThat(empty.root().getAttribute("aria-label")).isEqualTo("nothing: 0 steps, 0 edges");
  }

  @Test
  void aStepOfTheRunTheRunbookDoesNotHaveIsDrawnWithoutEdges() {
    Instant t0 = Instant.parse("2026-11-30T10:00:00Z");
    RunRecord run =
        new RunRecord(
            new RunId(1),
            new IncidentId(1),
            "diamond",
            "v0",
            "diamond.yaml",
            null,
            Rollout.Mode.AUTO,
            RunStatus.SUCCEEDED,
            null,
            Map.of(),
            t0,
            t0,
            t0,
            null,
            null,
            "auto",
            List.of(step("old", StepStatus.SUCCEEDED, 1, t0, t0.plus(Duration.ofHours(2)))));
    SvgDoc svg = new SvgDoc(DagSvg.forRun(run, null, t0));
    assertThat(text(node(svg, "old"))).containsExactly("old", "wait", "succeeded", "1 try · 2h");
    assertThat(edges(svg)).isEmpty();
  }
}
