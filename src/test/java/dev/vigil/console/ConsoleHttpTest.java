package dev.vigil.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.TestDaemon;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console over plain HTTP: sessions, 401s, CSRF and escaping, without a browser. */
class ConsoleHttpTest {
  static final String TOKENS =
      "auth: {webhookTokens: [hook-token], apiTokens: [api-token], sessionLifetime: 2h}\n";
  static final String HOSTILE =
      "[{\"labels\": {\"alertname\": \"DiskFull\", \"severity\": \"critical\","
          + " \"evil\": \"<script>document.title='pwned'</script>\"},"
          + " \"annotations\": {\"summary\": \"disk \\\"><img src=x onerror=alert(1)> full\"},"
          + " \"generatorURL\": \"javascript:alert(1)\"}]";

  @TempDir Path dir;

  @Test
  void withTokensNothingIsShownWithoutASessionAndTheTokenBuysOne() {
    try (TestDaemon d = TestDaemon.start(dir, TOKENS)) {
      assertThat(
              d.post("/api/v1/alerts", HOSTILE, "Authorization", "Bearer hook-token").statusCode())
          .isEqualTo(202);
      for (String path :
          new String[] {
            "/ui/incidents", "/ui/incidents/INC-1", "/ui/oncall", "/ui/runbooks", "/ui/stats"
          }) {
        HttpResponse<String> r = d.get(path);
        assertThat(r.statusCode()).as(path).isEqualTo(401);
        assertThat(r.body()).as(path).contains("API token").doesNotContain("DiskFull");
      }
      for (String path :
          new String[] {"/ui/events", "/ui/incidents/rows", "/ui/incidents/INC-1/live"}) {
        HttpResponse<String> r = d.get(path);
        assertThat(r.statusCode()).as(path).isEqualTo(401);
        assertThat(r.body()).as(path).doesNotContain("DiskFull");
      }
      assertThat(form(d, "/ui/incidents/INC-1/acknowledge", null, "csrf=x").statusCode())
          .isEqualTo(401);
      // a cookie that was not signed with this daemon's key, or was altered, is no session
      assertThat(
              d.get("/ui/incidents", "Cookie", "vigil_session=v1.9999999999.abc.YQ.xyz")
                  .statusCode())
          .isEqualTo(401);

      HttpResponse<String> wrong = form(d, "/ui/login", null, "token=nope&next=%2Fui%2Fstats");
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();

      HttpResponse<String> ok =
          form(d, "/ui/login", null, "token=api-token&name=alice&next=%2Fui%2Fstats");
      assertThat(ok.statusCode()).isEqualTo(303);
      assertThat(ok.headers().firstValue("Location")).contains("/ui/stats");
      String setCookie = ok.headers().firstValue("Set-Cookie").orElseThrow();
      assertThat(setCookie)
          .startsWith("vigil_session=")
          .contains("HttpOnly", "SameSite=Strict", "Path=/ui", "Max-Age=7200")
          .doesNotContain("Secure")
          .doesNotContain("api-token");
      String cookie = setCookie.substring(0, setCookie.indexOf(';'));
      String tampered = cookie.substring(0, cookie.length() - 2) + "xx";
      assertThat(d.get("/ui/incidents", "Cookie", tampered).statusCode()).isEqualTo(401);

      HttpResponse<String> list = d.get("/ui/incidents", "Cookie", cookie);
      assertThat(list.statusCode()).isEqualTo(200);
      assertThat(list.body()).contains("INC-1");
      // a login page reached from elsewhere does not send the user anywhere outside the console
      assertThat(
              form(d, "/ui/login", null, "token=api-token&next=https%3A%2F%2Fevil.example%2F")
                  .headers()
                  .firstValue("Location"))
          .contains("/ui/incidents");
    }
  }

  @Test
  void everyActionNeedsTheSessionsCsrfTokenAndThisOrigin() {
    try (TestDaemon d = TestDaemon.start(dir, TOKENS)) {
      d.post("/api/v1/alerts", HOSTILE, "Authorization", "Bearer hook-token");
      String cookie = login(d);
      String csrf = csrf(d.get("/ui/incidents/INC-1", "Cookie", cookie).body());

      assertThat(form(d, "/ui/incidents/INC-1/acknowledge", cookie, "").statusCode())
          .isEqualTo(403);
      assertThat(form(d, "/ui/incidents/INC-1/acknowledge", cookie, "csrf=forged").statusCode())
          .isEqualTo(403);
      assertThat(
              form(
                      d,
                      "/ui/incidents/INC-1/acknowledge",
                      cookie,
                      "csrf=" + enc(csrf),
                      "Origin",
                      "https://evil.example")
                  .statusCode())
          .isEqualTo(403);
      // another session's token does not do either
      String other = login(d);
      assertThat(
              form(d, "/ui/incidents/INC-1/acknowledge", other, "csrf=" + enc(csrf)).statusCode())
          .isEqualTo(403);
      assertThat(incident(d).getString("status")).isEqualTo("triggered");

      HttpResponse<String> ack =
          form(
              d,
              "/ui/incidents/INC-1/acknowledge",
              cookie,
              "csrf=" + enc(csrf),
              "Origin",
              d.url("").replaceAll("/$", ""));
      assertThat(ack.statusCode()).isEqualTo(303);
      JsonObject stored = incident(d);
      assertThat(stored.getString("status")).isEqualTo("acknowledged");
      assertThat(stored.getString("acknowledgedBy")).isEqualTo("alice");

      HttpResponse<String> again =
          form(d, "/ui/incidents/INC-1/acknowledge", cookie, "csrf=" + enc(csrf));
      assertThat(again.statusCode()).isEqualTo(409);
      assertThat(again.body()).contains("already acknowledged by alice");
    }
  }

  @Test
  void alertValuesAreEscapedEverywhereTheyAppear() {
    try (TestDaemon d = TestDaemon.start(dir, "")) {
      d.post("/api/v1/alerts", HOSTILE);
      for (String path :
          new String[] {
            "/ui/incidents", "/ui/incidents/INC-1", "/ui/incidents/rows", "/ui/incidents/INC-1/live"
          }) {
        HttpResponse<String> r = d.get(path);
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        assertThat(r.body())
            .as(path)
            .doesNotContain("<script>document")
            .doesNotContain("<img src=x")
            .doesNotContain("javascript:");
        assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow())
            .contains("script-src 'self'");
      }
      String page = d.get("/ui/incidents/INC-1").body();
      assertThat(page)
          .contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;")
          .contains("disk &quot;&gt;&lt;img src=x onerror=alert(1)&gt; full");
    }
  }

  @Test
  void withoutTokensOnLoopbackTheConsoleIsOpenButActionsStillNeedTheCsrfToken() {
    try (TestDaemon d = TestDaemon.start(dir, "")) {
      d.post("/api/v1/alerts", HOSTILE);
      HttpResponse<String> root = d.get("/");
      assertThat(root.statusCode()).isEqualTo(303);
      assertThat(root.headers().firstValue("Location")).contains("/ui/incidents");
      HttpResponse<String> page = d.get("/ui/incidents/INC-1");
      assertThat(page.statusCode()).isEqualTo(200);
      String setCookie = page.headers().firstValue("Set-Cookie").orElseThrow();
      assertThat(setCookie).contains("HttpOnly", "SameSite=Strict");
      String cookie = setCookie.substring(0, setCookie.indexOf(';'));
      assertThat(form(d, "/ui/incidents/INC-1/resolve", null, "").statusCode()).isEqualTo(403);
      assertThat(form(d, "/ui/incidents/INC-1/resolve", cookie, "").statusCode()).isEqualTo(403);
      assertThat(incident(d).getString("status")).isEqualTo("triggered");
      String csrf = csrf(page.body());
      assertThat(form(d, "/ui/incidents/INC-1/resolve", cookie, "csrf=" + enc(csrf)).statusCode())
          .isEqualTo(303);
      assertThat(incident(d).getString("status")).isEqualTo("resolved");
      assertThat(incident(d).getString("resolvedBy")).isEqualTo("console");
    }
  }

  @Test
  void assetsComeFromTheJarAndPagesStaySmall() {
    try (TestDaemon d = TestDaemon.start(dir, "")) {
      d.post("/api/v1/alerts", HOSTILE);
      int assets = 0;
      for (String a : new String[] {"/ui/assets/console.css", "/ui/assets/console.js"}) {
        HttpResponse<String> r = d.get(a);
        assertThat(r.statusCode()).as(a).isEqualTo(200);
        assets += r.body().getBytes(StandardCharsets.UTF_8).length;
      }
      assertThat(d.get("/ui/assets/..%2Fconsole.js").statusCode()).isEqualTo(404);
      for (String p :
          new String[] {
            "/ui/incidents", "/ui/incidents/INC-1", "/ui/oncall", "/ui/runbooks", "/ui/stats"
          }) {
        HttpResponse<String> r = d.get(p);
        assertThat(r.statusCode()).as(p).isEqualTo(200);
        // nothing is fetched from another site (the SVG namespace is a name, not a fetch)
        assertThat(r.body())
            .as(p)
            .doesNotContain("src=\"http")
            .doesNotContain("href=\"http")
            .doesNotContain("url(");
        assertThat(r.body().getBytes(StandardCharsets.UTF_8).length + assets)
            .as(p)
            .isLessThan(200 * 1024);
      }
    }
  }

  @Test
  void openPagesHearOfEachCommittedChangeAndDoNotHoldUpAStop() throws Exception {
    TestDaemon d =
        TestDaemon.start(dir, "server: {host: 127.0.0.1, port: 0, shutdownTimeout: 1d}\n");
    boolean closed = false;
    try {
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      HttpResponse<Stream<String>> events =
          d.http.send(
              HttpRequest.newBuilder(URI.create(d.url("/ui/events"))).build(),
              HttpResponse.BodyHandlers.ofLines());
      assertThat(events.statusCode()).isEqualTo(200);
      assertThat(events.headers().firstValue("Content-Type"))
          .contains("text/event-stream; charset=utf-8");
      Thread reader =
          new Thread(
              () -> {
                events.body().forEach(lines::add);
                lines.add("<end>");
              });
      reader.setDaemon(true);
      reader.start();
      d.post("/api/v1/alerts", HOSTILE);
      List<String> seen = new ArrayList<>();
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                lines.drainTo(seen);
                return seen.contains("data: INC-1");
              });
      assertThat(seen).contains("event: incident").doesNotContain("DiskFull");
      // a graceful stop waits for open requests (up to shutdownTimeout, a day here): the stream
      // ends as the stop begins, so the stop does not wait for it
      org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), d::close);
      closed = true;
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                lines.drainTo(seen);
                return seen.contains("<end>");
              });
    } finally {
      if (!closed) {
        d.close();
      }
    }
  }

  static JsonObject incident(TestDaemon d) {
    return new JsonObject(
        d.get("/api/v1/incidents/INC-1", "Authorization", "Bearer api-token").body());
  }

  static String login(TestDaemon d) {
    HttpResponse<String> ok = form(d, "/ui/login", null, "token=api-token&name=alice");
    assertThat(ok.statusCode()).isEqualTo(303);
    String setCookie = ok.headers().firstValue("Set-Cookie").orElseThrow();
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  static String csrf(String page) {
    Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page);
    assertThat(m.find()).as("a form with a CSRF token").isTrue();
    return m.group(1);
  }

  static HttpResponse<String> form(
      TestDaemon d, String path, String cookie, String body, String... headers) {
    String[] all = new String[headers.length + (cookie == null ? 2 : 4)];
    all[0] = "Content-Type";
    all[1] = "application/x-www-form-urlencoded";
    if (cookie != null) {
      all[2] = "Cookie";
      all[3] = cookie;
    }
    System.arraycopy(headers, 0, all, cookie == null ? 2 : 4, headers.length);
    return d.post(path, body, all);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
