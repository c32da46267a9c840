package dev.vigil.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.config.Problems;
import dev.vigil.config.Yaml;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MatcherTest {
  private static final Map<String, String> LABELS =
      Map.of(
          "alertname",
          "NodeFilesystemAlmostOutOfSpace",
          "severity",
          "critical",
          "instance",
          "host-1:9100",
          "note",
          "say \"hi\"");

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiterString = " => ",
      quoteCharacter = '`',
      textBlock =
          """
      `alertname = "NodeFilesystemAlmostOutOfSpace"` => true
      `alertname="NodeFilesystemAlmostOutOfSpace"` => true
      `alertname = NodeFilesystemAlmostOutOfSpace` => true
      `alertname != "NodeFilesystemAlmostOutOfSpace"` => false
      `alertname =~ "NodeFilesystem.*"` => true
      `alertname =~ "Filesystem"` => false
      `alertname =~ "Filesystem.*"` => false
      `alertname !~ "Filesystem"` => true
      `severity =~ "critical|page"` => true
      `severity =~ "crit|page"` => false
      `severity=~critical|page` => true
      `team = ""` => true
      `team != ""` => false
      `team != "eu"` => true
      `team =~ ".*"` => true
      `team =~ ".+"` => false
      `instance = "host-1:9100"` => true
      `note = "say \\"hi\\""` => true
      `  severity   =   critical  ` => true
      """)
  void matchesLikeAlertmanager(String text, boolean expected) {
    assertThat(Matcher.parse(text).matches(LABELS)).as(text).isEqualTo(expected);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      textBlock =
          """
      ``                         | 0  | expected a label name
      `= "x"`                    | 0  | expected a label name, found '='
      `9lives = "x"`             | 0  | expected a label name, found '9'
      `alertname`                | 9  | expected one of =, !=, =~, !~ after label name "alertname"
      `alertname == "x"`         | 11 | unexpected '=' after operator = (operators are =, !=, =~, !~; as in Alertmanager, the '=' would start the value, whose '"' is not escaped)
      `alertname ~= "x"`         | 10 | expected one of =, !=, =~, !~ after label name "alertname"
      `alertname = "x`           | 12 | unterminated quoted value (no closing '"')
      `alertname = "x" y`        | 14 | a quoted value ends at its closing '"', the last character (write \\" for a quote inside it)
      `alertname =`              | 11 | missing value after = (write alertname="" for an empty or missing label)
      `alertname = x"y`          | 13 | unescaped '"' in a bare value (quote the whole value, or write \\")
      `alertname =~ "(unclosed"` | 14 | invalid regular expression (RE2 syntax, as in Alertmanager): missing closing )
      """)
  void reportsWhereAndWhy(String text, int offset, String reason) {
    assertThatThrownBy(() -> Matcher.parse(text))
        .isInstanceOfSatisfying(
            MatcherSyntaxException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(reason);
              assertThat(e.offset()).isEqualTo(offset);
            });
  }

  @Test
  void escapesRoundTrip() {
    Matcher m = Matcher.parse("msg = \"a \\\"quoted\\\" \\\\ back\\nline\"");
    assertThat(m.value()).isEqualTo("a \"quoted\" \\ back\nline");
    assertThat(Matcher.parse(m.toString())).isEqualTo(m);
    assertThat(Matcher.of("msg", Matcher.Op.EQ, m.value())).isEqualTo(m);
  }

  @Test
  void regexIsAnchoredEvenWithAlternation() {
    // without the (?:...) group, ^a|b$ would match "xb" and "ax"
    Matcher m = Matcher.parse("x =~ \"a|b\"");
    assertThat(m.matches(Map.of("x", "a"))).isTrue();
    assertThat(m.matches(Map.of("x", "ax"))).isFalse();
    assertThat(m.matches(Map.of("x", "xb"))).isFalse();
  }

  @Test
  void emptyListMatchesEverything() {
    assertThat(Matcher.matchesAll(List.of(), LABELS)).isTrue();
    assertThat(
            Matcher.matchesAll(
                List.of(Matcher.parse("severity=critical"), Matcher.parse("team=eu")), LABELS))
        .isFalse();
  }

  @Test
  void readAllReportsEachBadEntryAtItsPosition() {
    Problems problems = new Problems();
    String yaml =
        """
        match:
          - 'alertname = "Watchdog"'
          - 'severity =~ "(crit"'
          - 'oops'
          - '{alertname="A", job=~"(?<=x)y"}'
          - '{alertname="B", severity="page"}'
        """;
    var root =
        Yaml.parse(yaml.getBytes(StandardCharsets.UTF_8), "rules.yaml", problems, null)
            .orElseThrow();
    List<Matcher> good = Matcher.readAll(root.fields("match").get("match").orElseThrow());
    assertThat(good)
        .containsExactly(
            Matcher.parse("alertname=\"Watchdog\""),
            Matcher.parse("alertname=B"),
            Matcher.parse("severity=page"));
    // each at the column of its problem inside the quoted entry
    assertThat(problems.sorted())
        .extracting(Object::toString)
        .containsExactly(
            "rules.yaml:3:19: match[1]: bad matcher \"severity =~ \"(crit\"\": invalid regular expression (RE2 syntax, as in"
                + " Alertmanager): missing closing ) (at character 14)",
            "rules.yaml:4:10: match[2]: bad matcher \"oops\": expected one of =, !=, =~, !~ after label name \"oops\" (at character 5)",
            "rules.yaml:5:28: match[3]: bad matcher \"{alertname=\"A\", job=~\"(?<=x)y\"}\": invalid regular expression (RE2 syntax, as in"
                + " Alertmanager): lookbehind (?<=...) is not supported (at character 23)");
  }
}
