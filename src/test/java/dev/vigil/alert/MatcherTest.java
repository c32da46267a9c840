package dev.vigil.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MatcherTest {
  static final Map<String, String> LABELS = Map.of("alertname", "NodeFilesystemAlmostFull", "severity", "warning",
      "path", "C:\\tmp \"x\"");

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = ';', quoteCharacter = '`', value = {
      "alertname = \"NodeFilesystemAlmostFull\"    ; true",
      "alertname=NodeFilesystemAlmostFull          ; true",
      "severity =~ \"warning|critical\"            ; true",
      "severity =~ \"warn\"                        ; false",   // fully anchored, as in Alertmanager
      "severity !~ \"info|debug\"                  ; true",
      "severity != \"warning\"                     ; false",
      "team != \"eu\"                              ; true",    // an absent label is the empty string
      "team = \"\"                                 ; true",
      "path = \"C:\\\\tmp \\\"x\\\"\"              ; true",    // escapes in quoted values
      "\"severity\" = warning                      ; true",
  })
  void matchesLikeAlertmanager(String text, boolean expected) {
    assertThat(Matcher.parse(text).matches(LABELS)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', quoteCharacter = '`', value = {
      "severity > \"warning\"       ; 10 ; expected an operator (=, !=, =~, !~), got '>'",
      "alertname == \"X\"           ; 11 ; \"==\" is not an operator: use = (operators: =, !=, =~, !~)",
      "severity =~ \"(warning\"     ; 13 ; bad regular expression \"(warning\": Unclosed group",
      "alertname = \"X              ; 13 ; unterminated quoted string",
      "alertname = \"X\" extra      ; 17 ; unexpected text after the closing quote: \"extra\"",
      "9lives = \"X\"               ; 1  ; expected a label name, got '9'",
      "alertname                    ; 10 ; expected an operator (=, !=, =~, !~) after \"alertname\"",
  })
  void reportsWhereAndWhy(String text, int column, String message) {
    assertThatThrownBy(() -> Matcher.parse(text))
        .isInstanceOfSatisfying(Matcher.ParseException.class, e -> {
          assertThat(e.getMessage()).isEqualTo(message);
          assertThat(e.column()).isEqualTo(column);
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"a = \"b\\\"c\"", "severity =~ \"warning|critical\"", "\"odd name\" != \"\""})
  void printsCanonicalTextThatParsesBack(String text) {
    Matcher m = Matcher.parse(text);
    assertThat(Matcher.parse(m.toString())).isEqualTo(m);
  }
}
