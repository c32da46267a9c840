package dev.vigil.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vigil.TestDaemon;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;

/** The console in a real (headless) Chromium against a real daemon. */
class ConsoleBrowserTest {
  static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  static String alert(String name, String extraLabels) {
    return "[{\"labels\": {\"alertname\": \""
        + name
        + "\", \"severity\": \"critical\""
        + extraLabels
        + "}, \"annotations\": {\"summary\": \""
        + name
        + " on host-1\"}}]";
  }

  @Test
  void aNewWebhooksIncidentAppearsInTheListWithoutAReload() {
    try (TestDaemon d = TestDaemon.start(dir, "");
        Browser b = Browser.open()) {
      b.driver.get(d.url("/ui/incidents"));
      assertThat(b.find("#incident-rows").getText()).contains("No incidents match");
      await()
          .atMost(WAIT)
          .until(() -> "connected".equals(b.find("html").getAttribute("data-live")));
      b.driver.executeScript("window.notReloaded = true;");

      assertThat(d.post("/api/v1/alerts", alert("LiveOne", "")).statusCode()).isEqualTo(202);

      await()
          .atMost(WAIT)
          .until(() -> !b.all("#incident-rows tr[data-incident='INC-1']").isEmpty());
      WebElement row = b.find("#incident-rows tr[data-incident='INC-1']");
      assertThat(row.getText()).contains("triggered", "critical", "LiveOne on host-1");
      assertThat(b.driver.executeScript("return window.notReloaded === true;")).isEqualTo(true);
      b.screenshot("incidents");
    }
  }

  @Test
  void acknowledgingFromTheIncidentPageChangesTheStoredIncident() {
    try (TestDaemon d = TestDaemon.start(dir, "");
        Browser b = Browser.open()) {
      d.post("/api/v1/alerts", alert("AckMe", ", \"instance\": \"host-1:9100\""));
      b.driver.get(d.url("/ui/incidents/INC-1"));
      assertThat(b.find("h1").getText()).contains("INC-1", "AckMe on host-1");
      b.find("textarea#note-text").sendKeys("looking at it");
      b.find("form.note button").click();
      await().atMost(WAIT).until(() -> b.find(".timeline").getText().contains("looking at it"));

      // by keyboard alone: the first Tab reaches the skip link, more Tabs the button, Enter presses
      // it
      b.find("body").sendKeys(Keys.TAB);
      assertThat(b.driver.switchTo().activeElement().getText()).isEqualTo("Skip to content");
      for (int i = 0;
          i < 30 && !"Acknowledge".equals(b.driver.switchTo().activeElement().getText());
          i++) {
        b.driver.switchTo().activeElement().sendKeys(Keys.TAB);
      }
      assertThat(b.driver.switchTo().activeElement().getText()).isEqualTo("Acknowledge");
      b.driver.switchTo().activeElement().sendKeys(Keys.ENTER);

      await().atMost(WAIT).until(() -> b.find("dl.summary").getText().contains("acknowledged"));
      JsonObject stored = new JsonObject(d.get("/api/v1/incidents/INC-1").body());
      assertThat(stored.getString("status")).isEqualTo("acknowledged");
      assertThat(stored.getString("acknowledgedBy")).isEqualTo("console");
      b.screenshot("incident");
    }
  }

  @Test
  void aDiamondRunbooksRunShowsFourNodesAndFourEdgesWithTheirStates() throws Exception {
    Files.createDirectories(dir.resolve("runbooks"));
    Files.writeString(
        dir.resolve("runbooks/diamond.yaml"),
        """
        name: diamond
        description: Four steps in a diamond; one branch waits for a person.
        match: ['alertname = "Diamond"']
        rollout: {mode: auto}
        steps:
          - {id: a, wait: 1s}
          - id: b
            needs: [a]
            approval: {text: "Go on?", timeout: 1h}
          - {id: c, needs: [a], wait: 1s}
          - {id: d, needs: [b, c], wait: 1s}
        """);
    try (TestDaemon d = TestDaemon.start(dir, "runbooks: {dir: ../runbooks}\n");
        Browser b = Browser.open()) {
      d.post("/api/v1/alerts", alert("Diamond", ""));
      b.driver.get(d.url("/ui/incidents/INC-1"));
      // the page follows the run live: b waits for approval once a and c are done
      await()
          .atMost(WAIT)
          .until(
              () ->
                  states(b)
                      .equals(
                          Map.of(
                              "a", "succeeded", "b", "waiting", "c", "succeeded", "d", "pending")));
      assertThat(b.all("svg.dag g.node")).hasSize(4);
      assertThat(
              b.all("svg.dag path.edge").stream()
                  .map(e -> e.getAttribute("data-from") + "->" + e.getAttribute("data-to"))
                  .sorted())
          .containsExactly("a->b", "a->c", "b->d", "c->d");
      // each state is written out, not only coloured
      assertThat(b.find("svg g.node[data-step='b']").getText()).contains("waiting");
      b.screenshot("run");

      b.driver.findElement(By.xpath("//button[normalize-space()='Approve b']")).click();
      await().atMost(WAIT).until(() -> states(b).values().stream().allMatch("succeeded"::equals));
      assertThat(new JsonObject(d.get("/api/v1/runs/RUN-1").body()).getString("status"))
          .isEqualTo("succeeded");
    }
  }

  /** Each node's step and state, read in one script (the region may be redrawn meanwhile). */
  @SuppressWarnings("unchecked")
  static Map<String, String> states(Browser b) {
    Object read =
        b.driver.executeScript(
            "var out = {};"
                + "document.querySelectorAll('svg.dag g.node').forEach(function (n) {"
                + "  out[n.getAttribute('data-step')] = n.getAttribute('data-state'); });"
                + "return out;");
    return (Map<String, String>) read;
  }

  @Test
  void aTeamsYamlWithAGapShowsThatGapOnTheWeekChart() throws Exception {
    Files.createDirectories(dir.resolve("config"));
    Files.writeString(
        dir.resolve("config/teams.yaml"),
        """
        teams:
          - id: early
            name: Early team
            timezone: UTC
            coverage: [{ from: "00:00", to: "12:00" }]
          - id: late
            name: Late team
            timezone: UTC
            coverage: [{ from: "13:00", to: "00:00" }]
        """);
    try (TestDaemon d = TestDaemon.start(dir, "");
        Browser b = Browser.open()) {
      b.driver.get(d.url("/ui/oncall?tz=UTC"));
      assertThat(b.all("svg g.gap")).isNotEmpty();
      assertThat(b.find("svg.week g.gap title").getAttribute("textContent")).contains("12:00");
      assertThat(b.find("ul.findings li.gap").getAttribute("textContent"))
          .as("the gap in words for screen readers")
          .contains("12:00 UTC to");
      List<String> rows = b.all("svg text").stream().map(WebElement::getText).toList();
      assertThat(String.join(" ", rows)).contains("Early team", "Late team");
      b.screenshot("oncall");
      b.driver.get(d.url("/ui/oncall?tz=Asia/Kolkata"));
      assertThat(b.find("svg.week").getAttribute("innerHTML")).contains("Asia/Kolkata");
      assertThat(b.find("#oncall-next").getText()).contains("IST");

      b.find("#o-duration").clear();
      b.find("#o-duration").sendKeys("3h");
      b.find("#o-reason").sendKeys("covering the gap");
      b.driver.findElement(By.xpath("//button[normalize-space()='Add override']")).click();
      await().atMost(WAIT).until(() -> b.driver.getPageSource().contains("covering the gap"));
      assertThat(d.get("/api/v1/overrides").body()).contains("covering the gap");
    }
  }

  @Test
  void withTokensTheConsoleAsksForATokenOnceAndThenActionsWork() {
    try (TestDaemon d = TestDaemon.start(dir, ConsoleHttpTest.TOKENS);
        Browser b = Browser.open()) {
      d.post("/api/v1/alerts", alert("Guarded", ""), "Authorization", "Bearer hook-token");
      b.driver.get(d.url("/ui/incidents/INC-1"));
      assertThat(b.find("h1").getText()).contains("Log in");
      assertThat(b.driver.getPageSource()).doesNotContain("Guarded");
      b.screenshot("login");
      b.find("#token").sendKeys("api-token");
      b.find("#name").sendKeys("carol");
      b.find("form.stack button").click();

      await().atMost(WAIT).until(() -> b.find("h1").getText().contains("Guarded"));
      assertThat(b.driver.manage().getCookieNamed("vigil_session").isHttpOnly()).isTrue();
      b.driver.findElement(By.xpath("//button[normalize-space()='Resolve']")).click();
      await().atMost(WAIT).until(() -> b.find("dl.summary").getText().contains("resolved"));
      JsonObject stored =
          new JsonObject(
              d.get("/api/v1/incidents/INC-1", "Authorization", "Bearer api-token").body());
      assertThat(stored.getString("status")).isEqualTo("resolved");
      assertThat(stored.getString("resolvedBy")).isEqualTo("carol");

      // a link from another site (PagerDuty, Slack) carries no SameSite=Strict cookie: the page
      // reloads itself once, same-site, and the session is there
      b.driver.get("data:text/html,<a id=go href='" + d.url("/ui/incidents/INC-1") + "'>INC-1</a>");
      b.find("#go").click();
      await().atMost(WAIT).until(() -> b.find("h1").getText().contains("Guarded"));

      b.driver.get(d.url("/ui/runbooks"));
      b.screenshot("runbooks");
      b.driver.get(d.url("/ui/stats"));
      b.screenshot("stats");
      assertThat(b.find("table.stats").getText()).contains("All incidents");
    }
  }

  @Test
  void aHostileLabelValueIsShownAsTextAndDoesNotRun() {
    try (TestDaemon d = TestDaemon.start(dir, "");
        Browser b = Browser.open()) {
      d.post("/api/v1/alerts", ConsoleHttpTest.HOSTILE);
      for (String page : List.of("/ui/incidents", "/ui/incidents/INC-1")) {
        b.driver.get(d.url(page));
        assertThat(b.driver.getTitle()).doesNotContain("pwned");
        assertThat(alertShown(b)).as(page).isFalse();
        assertThat(b.all("img")).as(page).isEmpty();
      }
      assertThat(b.find("table.pairs").getText())
          .contains("<script>document.title='pwned'</script>");
      assertThat(b.find("h1").getText()).contains("\"><img src=x onerror=alert(1)>");
      assertThat(b.find("article.alert a").getAttribute("href")).doesNotStartWith("javascript");
    }
  }

  private static boolean alertShown(Browser b) {
    try {
      b.driver.switchTo().alert();
      return true;
    } catch (NoAlertPresentException e) {
      return false;
    }
  }
}
