package dev.vigil.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parsing and matching cases taken from Alertmanager's own matcher tests ({@code pkg/labels} {@code
 * parse_test.go} and {@code matcher_test.go}, the classic parser Alertmanager reads {@code
 * matchers:} with), written down here as what a user sees: the matchers an entry yields (in their
 * canonical form), or where and why it is refused, and which label values each matches. A few rows
 * Alertmanager's tests lack are marked: RE2 constructs that {@code java.util.regex} would have
 * accepted or read differently.
 */
class MatcherAlertmanagerTableTest {

  static Stream<Arguments> parses() {
    return Stream.of(
        ok("{foo=\"bar\"}", "foo=\"bar\""),
        ok("{foo=~\"bar.*\"}", "foo=~\"bar.*\""),
        ok("{foo!=\"bar\"}", "foo!=\"bar\""),
        ok("{foo!~\"bar.*\"}", "foo!~\"bar.*\""),
        ok("{foo=\"bar\", baz!=\"quux\"}", "foo=\"bar\"", "baz!=\"quux\""),
        ok("{foo=\"bar\", baz!~\"quux.*\"}", "foo=\"bar\"", "baz!~\"quux.*\""),
        ok(
            "{foo=\"bar\",baz!~\".*quux\", derp=\"wat\"}",
            "foo=\"bar\"",
            "baz!~\".*quux\"",
            "derp=\"wat\""),
        ok(
            "{foo=\"bar\", baz!~\".*quux.*\", derp=\"wat\"}",
            "foo=\"bar\"",
            "baz!~\".*quux.*\"",
            "derp=\"wat\""),
        ok("{foo=\"bar\", instance=~\"some-api.*\"}", "foo=\"bar\"", "instance=~\"some-api.*\""),
        ok("{foo=\"\"}", "foo=\"\""),
        ok("{foo=\"bar,quux\", job=\"job1\"}", "foo=\"bar,quux\"", "job=\"job1\""),
        ok("{foo = \"bar\", dings != \"bums\", }", "foo=\"bar\"", "dings!=\"bums\""),
        ok("foo=bar,dings!=bums", "foo=\"bar\"", "dings!=\"bums\""),
        ok(
            "{quote=\"She said: \\\"Hi, ladies! That's gender-neutral…\\\"\"}",
            "quote=\"She said: \\\"Hi, ladies! That's gender-neutral…\\\"\""),
        ok("statuscode=~\"5..\"", "statuscode=~\"5..\""),
        ok("tricky=~~~", "tricky=~\"~~\""),
        // a second '=' starts the value; \\ is a backslash, \= stays \=, \" is a quote
        ok("trickier==\\\\=\\=\\\"", "trickier=\"=\\\\=\\\\=\\\"\""),
        ok(
            "contains_quote != \"\\\"\" , contains_comma !~ \"foo,bar\" , ",
            "contains_quote!=\"\\\"\"",
            "contains_comma!~\"foo,bar\""),
        // not in Alertmanager's table: a backslash before anything but \, " or n stays, so regex
        // escapes survive quoting
        ok("job =~ \"node\\d+\"", "job=~\"node\\\\d+\""),
        ok("job =~ node\\.example", "job=~\"node\\\\.example\""));
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        bad("job=", 4, "missing value after = (write job=\"\" for an empty or missing label)"),
        bad("job=\"value", 4, "unterminated quoted value (no closing '\"')"),
        bad(
            "job=value\"",
            9,
            "unescaped '\"' in a bare value (quote the whole value, or write \\\")"),
        bad(
            "trickier==\\\\=\\=\\\"\"",
            9,
            "unexpected '=' after operator = (operators are =, !=, =~, !~; as in Alertmanager,"
                + " the '=' would start the value, whose '\"' is not escaped)"),
        bad(
            "contains_unescaped_quote = foo\"bar",
            30,
            "unescaped '\"' in a bare value (quote the whole value, or write \\\")"),
        bad(
            "{invalid-name = \"valid label\"}",
            8,
            "expected one of =, !=, =~, !~ after label name \"invalid\""),
        bad(
            "{foo=~\"invalid[regexp\"}",
            14,
            "invalid regular expression (RE2 syntax, as in Alertmanager): missing closing ]: `[regexp`"),
        // the "double escaped" rows: a whole matcher in quotes is not a matcher
        bad("\"{foo=\\\"bar\"}", 0, "expected a label name, found '\"'"),
        bad("\"foo=\\\"bar\"", 0, "expected a label name, found '\"'"),
        bad("\"foo=\\\"bar\\\"\"", 0, "expected a label name, found '\"'"),
        bad("\"{foo=\\\"bar\\\"}\"", 0, "expected a label name, found '\"'"),
        bad("\"foo=\"bar\"\"", 0, "expected a label name, found '\"'"),
        // Vigil's own: an entry must hold a matcher (Alertmanager reads {} as none, which matches
        // everything)
        bad("{}", 1, "no matcher here (write one, e.g. alertname=\"X\")"),
        bad("a=b,,c=d", 4, "expected a label name"),
        // RE2 refuses what java.util.regex accepted: lookaround, backreferences, possessive and
        // atomic forms
        bad(
            "job =~ \"(?<=x)y|(a)\\1\"",
            8,
            "invalid regular expression (RE2 syntax, as in Alertmanager): lookbehind (?<=...) is not supported"),
        bad(
            "job =~ \"y(?<!x)\"",
            9,
            "invalid regular expression (RE2 syntax, as in Alertmanager): lookbehind (?<!...) is not supported"),
        bad(
            "job =~ \"(?=a)a\"",
            8,
            "invalid regular expression (RE2 syntax, as in Alertmanager): lookahead (?=...) is not supported"),
        bad(
            "job =~ \"(a)\\1\"",
            11,
            "invalid regular expression (RE2 syntax, as in Alertmanager): backreference \\1 is not supported"),
        bad(
            "job =~ \"a++\"",
            9,
            "invalid regular expression (RE2 syntax, as in Alertmanager): invalid nested repetition operator: `++`"),
        bad(
            "job =~ \"(?>a)\"",
            8,
            "invalid regular expression (RE2 syntax, as in Alertmanager): invalid or unsupported Perl syntax: `(?>`"),
        bad(
            "job =~ \"a{1001}\"",
            9,
            "invalid regular expression (RE2 syntax, as in Alertmanager): invalid repeat count: `{1001}`"),
        bad(
            "job =~ \"\\\\Z\"",
            8,
            "invalid regular expression (RE2 syntax, as in Alertmanager): invalid escape sequence: `\\Z`"),
        bad(
            "job =~ \"(unclosed\"",
            8,
            "invalid regular expression (RE2 syntax, as in Alertmanager): missing closing )"),
        bad(
            "job =~ \"a|(b(c)|[(]\"",
            10,
            "invalid regular expression (RE2 syntax, as in Alertmanager): missing closing )"));
  }

  /**
   * Alertmanager's matcher_test.go rows (a matcher on label x, a value, the answer), then RE2 rows.
   */
  static Stream<Arguments> matches() {
    return Stream.of(
        row("x=\"bar\"", "bar", true),
        row("x=\"bar\"", "foo-bar", false),
        row("x!=\"bar\"", "bar", false),
        row("x!=\"bar\"", "foo-bar", true),
        row("x=~\"bar\"", "bar", true),
        row("x=~\"bar\"", "foo-bar", false),
        row("x=~\".*bar\"", "foo-bar", true),
        row("x!~\"bar\"", "bar", false),
        row("x!~\"bar\"", "foo-bar", true),
        row("x!~\".*bar\"", "foo-bar", false),
        row("x=~\"foo.bar\"", "foo-bar", true),
        row("x=~\"foo\\\\.bar\"", "foo-bar", false),
        row("x=~\"foo\\\\.bar\"", "foo.bar", true),
        row("x=\"foo\\nbar\"", "foo\nbar", true),
        row("x=~\"foo.bar\"", "foo\nbar", false),
        row("x=~\"(?s)foo.bar\"", "foo\nbar", true),
        row("x=\"~!=\\\"\"", "~!=\"", true),
        // anchoring: ^(?:re)$, so alternation does not escape it
        row("x=~\"a|b\"", "ax", false),
        row("x=~\"a|b\"", "xb", false),
        row("x=~\"a|b\"", "b", true),
        row("x=~\".*\"", "", true),
        row("x=~\".+\"", "", false),
        row("x=~\".*\"", "two\nlines", false),
        row("x=~\"crit.*\"", "critical\n", false),
        row("x=~\"(?i)CRIT.*\"", "critical", true),
        row("x=~\"node\\d+\"", "node12", true),
        row("x=~\"node\\d+\"", "node1a", false),
        row("x=~\"\\\\pL+\"", "héllo", true),
        row("x=~\"[[:alpha:]]+\"", "abc", true),
        row("x=~\"a\\\\|b\"", "a|b", true),
        row("x=~\"a\\\\|b\"", "a", false),
        row("x=~\"(?P<n>a)+\"", "aaa", true));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("parses")
  void parsesAsAlertmanager(String entry, List<String> canonical) {
    List<Matcher> got = Matcher.parseList(entry);
    assertThat(got).extracting(Matcher::toString).containsExactlyElementsOf(canonical);
    // the canonical form reads back to the same matcher
    assertThat(got).allSatisfy(m -> assertThat(Matcher.parse(m.toString())).isEqualTo(m));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("refusals")
  void refusesAsAlertmanagerSayingWhereAndWhy(String entry, int offset, String reason) {
    assertThatThrownBy(() -> Matcher.parseList(entry))
        .isInstanceOfSatisfying(
            MatcherSyntaxException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(reason);
              assertThat(e.offset()).as("offset").isEqualTo(offset);
            });
  }

  @ParameterizedTest(name = "[{index}] {0} on {1}")
  @MethodSource("matches")
  void matchesAsAlertmanager(String matcher, String value, boolean expected) {
    assertThat(Matcher.parse(matcher).matches(Map.of("x", value))).isEqualTo(expected);
  }

  private static Arguments ok(String entry, String... canonical) {
    return Arguments.of(entry, List.of(canonical));
  }

  private static Arguments bad(String entry, int offset, String reason) {
    return Arguments.of(entry, offset, reason);
  }

  private static Arguments row(String matcher, String value, boolean expected) {
    return Arguments.of(matcher, value, expected);
  }
}
