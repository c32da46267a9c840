package dev.vigil.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.config.HostPattern;
import dev.vigil.expr.EvalException;
import dev.vigil.expr.Scope;
import dev.vigil.expr.Template;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Alert labels are untrusted: whatever a label holds, inserting it never changes the structure
 * around it. In an exec argv element it stays that one element, as it is (no shell ever sees it);
 * in a URL it is percent-encoded, so it cannot move the host or add a parameter; in a header it
 * cannot start another header.
 */
class TemplateInsertionFuzzTest {
  @Provide
  Arbitrary<String> labels() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(30),
        Arbitraries.of(
            "a b; $(touch /tmp/pwned)",
            "`id`",
            "\"; rm -rf / #",
            "' OR 1=1 --",
            "x\r\nX-Evil: 1",
            "@evil.com/",
            "#frag",
            "&admin=true",
            "../../etc/passwd",
            "%2e%2e",
            "${{ 1 + 1 }}",
            "\u0000",
            "-rf"));
  }

  static Template compile(String text) {
    return Template.compile(text, Scope.runbook(), Scope.StepAccess.NONE).template().orElseThrow();
  }

  static Map<String, Object> alert(String value) {
    return Map.of(
        "alert",
        Map.of("labels", Map.of("instance", value), "annotations", Map.of(), "status", "firing"));
  }

  @Property(tries = 150, seed = "42")
  void aLabelInAnArgvElementIsThatElementAsItIs(@ForAll("labels") String label) {
    try {
      assertThat(
              compile("--host=${{ alert.labels.instance }}")
                  .render(alert(label), Template.Insertion.ARGV))
          .isEqualTo("--host=" + label);
    } catch (EvalException e) {
      assertThat(label).as("only NUL, which no argv can hold, is refused").contains("\u0000");
    }
  }

  @Property(tries = 150, seed = "42")
  void aLabelInAUrlStaysInsideItsQueryValue(@ForAll("labels") String label) throws EvalException {
    String url =
        compile(
                "http://prometheus:9090/api/v1/query?query=up{instance=\"${{ alert.labels.instance }}\"}&x=1")
            .render(alert(label), Template.Insertion.URL);
    assertThat(HostPattern.hostOf(url)).contains("prometheus");
    String query = url.substring(url.indexOf('?') + 1);
    assertThat(query.split("&")).hasSize(2);
    assertThat(query).doesNotContain("#");
    // a lone surrogate has no UTF-8 form and is sent as "?": lossy, but it stays inside the value
    // like the rest
    String expected =
        StandardCharsets.UTF_8.newEncoder().canEncode(label)
            ? label
            : label.replaceAll("[\\x{D800}-\\x{DFFF}]", "?");
    assertThat(URLDecoder.decode(query.split("&")[0], StandardCharsets.UTF_8))
        .isEqualTo("query=up{instance=\"" + expected + "\"}");
  }

  @Property(tries = 150, seed = "42")
  void aLabelInAHeaderCannotStartAnotherHeader(@ForAll("labels") String label) {
    try {
      String value =
          compile("Bearer ${{ alert.labels.instance }}")
              .render(alert(label), Template.Insertion.HEADER);
      assertThat(value).doesNotContain("\r").doesNotContain("\n").doesNotContain("\u0000");
    } catch (EvalException e) {
      assertThat(label).containsAnyOf("\r", "\n", "\u0000");
    }
  }
}
