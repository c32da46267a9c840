package dev.vigil.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.config.Secret;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TemplateTest {
  static final Scope SCOPE = Scope.runbook();

  static Template compile(String text) {
    Template.Result r = Template.compile(text, SCOPE, Scope.StepAccess.NONE);
    assertThat(r.errors()).isEmpty();
    return r.template().orElseThrow();
  }

  static Map<String, Object> bindings(String instance) {
    Map<String, Object> alert = new LinkedHashMap<>();
    alert.put("labels", Map.of("instance", instance, "severity", "critical", "count", "3"));
    alert.put("annotations", Map.of());
    alert.put("status", "firing");
    alert.put("startsAt", "2026-11-29T05:36:32Z");
    alert.put("fingerprint", "c1b78d5e0e8bac2b");
    return Map.of(
        "alert",
        alert,
        "alerts",
        List.of(alert),
        "incident",
        Map.of(
            "id",
            "INC-1",
            "severity",
            "critical",
            "type",
            "disk",
            "status",
            "triggered",
            "team",
            "eu",
            "title",
            "t"),
        "team",
        Map.of("id", "eu", "name", "EU", "region", "emea"));
  }

  @Test
  void insertsValuesIntoText() throws Exception {
    assertThat(
            compile("host ${{ alert.labels.instance }} is ${{ alert.labels.severity }}")
                .render(bindings("db-1"), Template.Insertion.TEXT))
        .isEqualTo("host db-1 is critical");
  }

  @Test
  void aStringThatIsExactlyOneExpressionKeepsItsType() throws Exception {
    assertThat(compile("${{ int(alert.labels.count) + 1 }}").value(bindings("x"))).isEqualTo(4L);
    assertThat(compile("${{ alert.labels.severity == 'critical' }}").value(bindings("x")))
        .isEqualTo(true);
    assertThat(compile("${{ [1, 2] }}").value(bindings("x"))).isEqualTo(List.of(1L, 2L));
    assertThat(compile("n=${{ int(alert.labels.count) }}").value(bindings("x"))).isEqualTo("n=3");
  }

  @Test
  void bracesInsideTheExpressionDoNotEndIt() throws Exception {
    assertThat(
            compile("${{ {'a': {'b': 'c}}'}}.a.b }}")
                .render(bindings("x"), Template.Insertion.TEXT))
        .isEqualTo("c}}");
  }

  /**
   * Labels come from outside: whatever they hold, they stay one argv element / URL component / JSON
   * string.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "db 1",
        "db;rm -rf /",
        "$(reboot)",
        "`id`",
        "\"quoted\" 'single'",
        "../../etc/passwd",
        "a&b=c",
        "x#frag",
        "line1\nline2",
        "ñandú-東京-🚀",
        "%2F",
        "?q=1"
      })
  void untrustedValuesKeepTheirPlace(String evil) throws Exception {
    Map<String, Object> b = bindings(evil);
    // exec: one argv element, byte for byte
    assertThat(compile("${{ alert.labels.instance }}").render(b, Template.Insertion.ARGV))
        .isEqualTo(evil);
    assertThat(compile("--host=${{ alert.labels.instance }}").render(b, Template.Insertion.ARGV))
        .isEqualTo("--host=" + evil);
    // URL: only unreserved characters stay, so the value cannot add a path segment, query or
    // fragment
    String url =
        "http://prometheus:9090/api/v1/query?host="
            + compile("${{ alert.labels.instance }}").render(b, Template.Insertion.URL);
    String encoded = url.substring(url.indexOf("host=") + 5);
    assertThat(encoded).matches("[A-Za-z0-9._~%-]*");
    assertThat(URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8))
        .isEqualTo(evil);
    assertThat(URI.create(url).getRawQuery()).isEqualTo("host=" + encoded);
  }

  /**
   * A path segment that is "." or ".." after insertion would move the request: refused, whatever
   * made it.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "http://api/incidents/${{ alert.labels.instance }}/timeline | ..",
        "http://api/incidents/${{ alert.labels.instance }}/timeline | .",
        "http://api/incidents/${{ alert.labels.instance }} | ..",
        "http://api/incidents/.${{ alert.labels.instance }}/x | .",
        "http://api/${{ alert.labels.instance }}${{ alert.labels.instance }}/x | ."
      })
  void anInsertedDotSegmentInAPathIsRefused(String url, String value) {
    assertThatThrownBy(() -> compile(url).render(bindings(value), Template.Insertion.URL))
        .isInstanceOf(EvalException.class)
        .hasMessageContaining("\"alert.labels.instance\" makes the URL path segment");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "http://api/incidents/${{ alert.labels.instance }}/timeline | ... | http://api/incidents/.../timeline",
        "http://api/incidents/${{ alert.labels.instance }}/timeline | a/../b | http://api/incidents/a%2F..%2Fb/timeline",
        "http://api/incidents/${{ alert.labels.instance }}/timeline | %2E%2E | http://api/incidents/%252E%252E/timeline",
        "http://api/incidents/x${{ alert.labels.instance }}/timeline | .. | http://api/incidents/x../timeline",
        "http://api/search?q=${{ alert.labels.instance }} | .. | http://api/search?q=..",
        "http://api/search#${{ alert.labels.instance }} | .. | http://api/search#.."
      })
  void otherDotsStayData(String url, String value, String rendered) throws Exception {
    assertThat(compile(url).render(bindings(value), Template.Insertion.URL)).isEqualTo(rendered);
  }

  @Test
  void aSecretIsInsertedWholeOnlyWhereTheScopeAllowsIt() throws Exception {
    Scope withSecrets = SCOPE.withSecrets(Set.of("TOKEN"));
    Template t =
        Template.compile("Bearer ${{ secrets.TOKEN }}", withSecrets, Scope.StepAccess.NONE)
            .template()
            .orElseThrow();
    Map<String, Object> b = new LinkedHashMap<>(bindings("x"));
    b.put(Secrets.BINDING, new Secrets(Map.of("TOKEN", new Secret("t/0k"))));
    assertThat(t.render(b, Template.Insertion.HEADER)).isEqualTo("Bearer t/0k");
    assertThat(t.preview(bindings("x"), Template.Insertion.HEADER))
        .isEqualTo("Bearer ${{ secrets.TOKEN }}");
    assertThatThrownBy(() -> t.render(bindings("x"), Template.Insertion.HEADER))
        .isInstanceOf(EvalException.class);
    assertThat(
            Template.compile(
                    "${{ secrets.TOKEN.substring(1) }}", withSecrets, Scope.StepAccess.NONE)
                .errors())
        .extracting(ExprError::message)
        .containsExactly(
            "secrets: a secret is inserted whole, as ${{ secrets.NAME }}; it cannot be part of an expression");
    assertThat(
            Template.compile(
                    "${{ alert.labels['secrets'] + alert.labels.secrets }}",
                    withSecrets,
                    Scope.StepAccess.NONE)
                .errors())
        .as("a label named secrets is no secret")
        .isEmpty();
    assertThat(Template.compile("${{ secrets.TOKEN }}", SCOPE, Scope.StepAccess.NONE).errors())
        .extracting(ExprError::message)
        .containsExactly(
            "secrets.TOKEN: secrets can be inserted only in http, check and exec steps");
    assertThat(
            new Secrets(Map.of("TOKEN", new Secret("t/0k\"")))
                .redact("a t/0k\" b t%2F0k%22 c t/0k\\\" d"))
        .isEqualTo("a *** b *** c *** d");
  }

  @Test
  void aValueInSlackTextCannotMentionOrLinkButTheRunbooksOwnMarkupStays() throws Exception {
    assertThat(
            compile("<!here> disk on ${{ alert.labels.instance }} & <https://wiki|wiki>")
                .render(
                    bindings("<!channel> <https://evil.example|click> & co"),
                    Template.Insertion.SLACK))
        .isEqualTo(
            "<!here> disk on &lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; co & <https://wiki|wiki>");
  }

  @Test
  void aHeaderValueCannotCarryALineBreak() {
    assertThatThrownBy(
            () ->
                compile("Bearer ${{ alert.labels.instance }}")
                    .render(bindings("x\r\nX-Admin: 1"), Template.Insertion.HEADER))
        .isInstanceOf(EvalException.class)
        .hasMessageContaining("line break");
  }

  @Test
  void compileErrorsPointIntoTheText() {
    Template.Result r = Template.compile("x ${{ alert.lables }} y", SCOPE, Scope.StepAccess.NONE);
    assertThat(r.errors()).containsExactly(new ExprError(11, "undefined field 'lables'"));
    assertThat(Template.compile("x ${{ alert", SCOPE, Scope.StepAccess.NONE).errors())
        .containsExactly(new ExprError(2, "\"${{\" is not closed with \"}}\""));
  }

  @Test
  void evaluationIsBoundedSoARunbookCannotHangTheEngine() {
    Template t =
        compile(
            "${{ [1,2,3,4,5,6,7,8,9,10].map(a, [1,2,3,4,5,6,7,8,9,10].map(b, [1,2,3,4,5,6,7,8,9,10].map(c, [1,2,3,4,5,6,7,8,9,10].map(d, a+b+c+d)))) }}");
    assertThatThrownBy(() -> t.value(bindings("x")))
        .isInstanceOf(EvalException.class)
        .hasMessageEndingWith("exceeded the evaluation limit (20000 steps, 1000 loop iterations)");
  }

  @Test
  void renderedTextIsCapped() {
    Template t = compile("${{ alert.labels.instance }}${{ alert.labels.instance }}");
    assertThatThrownBy(() -> t.render(bindings("x".repeat(40_000)), Template.Insertion.TEXT))
        .isInstanceOf(EvalException.class)
        .hasMessageContaining("longer than 65536");
  }
}
