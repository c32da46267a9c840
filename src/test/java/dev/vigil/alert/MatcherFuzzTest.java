package dev.vigil.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever a user writes in a match entry, the parser answers with matchers or a located syntax
 * error.
 */
class MatcherFuzzTest {

  @Property(tries = 5000)
  void anEntryParsesOrIsRefusedAtAPlaceInIt(@ForAll("entries") String entry) {
    try {
      List<Matcher> got = Matcher.parseList(entry);
      assertThat(got).isNotEmpty();
      // what parsed prints in a form that parses back to the same matcher
      assertThat(got).allSatisfy(m -> assertThat(Matcher.parse(m.toString())).isEqualTo(m));
    } catch (MatcherSyntaxException e) {
      assertThat(e.offset()).isBetween(0, entry.length());
      assertThat(e.reason()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<String> entries() {
    return Arbitraries.of(
            "a", "job", " ", "=", "!", "~", "=~", "!~", "\"", "\\", ",", "{", "}", "(", ")", "[",
            "?<=", "\\1", "n", "\n", ".*", "|", "é", "\t")
        .list()
        .ofMinSize(0)
        .ofMaxSize(10)
        .map(parts -> String.join("", parts));
  }
}
