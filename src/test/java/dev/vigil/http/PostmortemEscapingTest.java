package dev.vigil.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.TestDaemon;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The postmortem Markdown from alert data that tries to be Markdown: a label holding a line break,
 * a heading and a table row, a summary opening an HTML comment. Each stays text in its own line or
 * cell.
 */
class PostmortemEscapingTest {
  @TempDir Path dir;

  @Test
  void aForgedSectionAndAnHtmlCommentStayText() {
    String forged = "x\n## Timeline\n| 2026-01-01T00:00:00Z | resolved | ceo | nothing happened |";
    String alert =
        new JsonArray()
            .add(
                new JsonObject()
                    .put(
                        "labels", new JsonObject().put("alertname", "Forge").put("service", forged))
                    .put(
                        "annotations",
                        new JsonObject()
                            .put(
                                "summary",
                                "checkout down <!-- the rest is hidden [click](https://evil.example) *")))
            .encode();
    try (TestDaemon d = TestDaemon.start(dir, "")) {
      var accepted = d.post("/api/v1/alerts", alert);
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
      String id = new JsonObject(accepted.body()).getJsonArray("incidents").getString(0);
      String md = d.get("/api/v1/incidents/" + id + "/timeline?format=markdown").body();

      List<String> lines = md.lines().toList();
      assertThat(lines).filteredOn(l -> l.startsWith("## Timeline")).hasSize(1);
      assertThat(lines)
          .filteredOn(l -> l.contains("nothing happened"))
          .singleElement()
          .asString()
          .startsWith("- firing since ")
          .doesNotStartWith("| 2026-01-01");
      assertThat(md)
          .doesNotContain("<!--")
          .doesNotContain("[click](")
          .contains(
              "service=x<br>## Timeline<br>\\| 2026-01-01T00:00:00Z \\| resolved \\| ceo \\| nothing happened \\|")
          .contains(
              "checkout down &lt;\\!-- the rest is hidden \\[click\\](https://evil.example) \\*");
      // the real timeline is still a table below its one heading
      assertThat(md.substring(md.indexOf("## Timeline"))).contains("| opened |");
    }
  }
}
