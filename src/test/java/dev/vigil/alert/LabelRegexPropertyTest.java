package dev.vigil.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The string-comparison short cut of {@link LabelRegex} against RE2/J itself (the oracle), on
 * expressions and values built from the pieces where the two could part: {@code .*} edges,
 * alternation, escaped punctuation, newlines, empty alternatives.
 */
class LabelRegexPropertyTest {

  @Property(tries = 3000)
  void theShortCutAnswersAsRe2(@ForAll("expressions") String re, @ForAll("values") String value)
      throws Exception {
    LabelRegex compiled;
    try {
      compiled = LabelRegex.compile(re);
    } catch (LabelRegex.SyntaxError e) {
      Assume.that(false);
      return;
    }
    boolean oracle = Pattern.compile("^(?:" + re + ")$").matches(value);
    assertThat(compiled.matches(value)).as("/%s/ on \"%s\"", re, value).isEqualTo(oracle);
  }

  // one instance across all tries, so its table of remembered answers fills, collides and is
  // overwritten
  private static final String SHARED_RE = "(a|b)*\\.?|[|é]+";
  private static final LabelRegex SHARED = compileOrFail(SHARED_RE);

  @Property(tries = 3000)
  void rememberedAnswersAreRe2s(@ForAll("values") String value) {
    boolean oracle = Pattern.compile("^(?:" + SHARED_RE + ")$").matches(value);
    assertThat(SHARED.matches(value)).as("/%s/ on \"%s\"", SHARED_RE, value).isEqualTo(oracle);
    assertThat(SHARED.matches(value)).as("asked again").isEqualTo(oracle);
  }

  private static LabelRegex compileOrFail(String re) {
    try {
      return LabelRegex.compile(re);
    } catch (LabelRegex.SyntaxError e) {
      throw new AssertionError(e.reason);
    }
  }

  @Example
  void theShapesUsersWriteTakeTheShortCut() throws Exception {
    for (String re :
        List.of(
            "critical|page",
            "NodeFilesystem.*",
            ".*foo.*",
            ".*-canary",
            "host-1\\.example\\.com",
            ".*",
            "a|")) {
      assertThat(LabelRegex.compile(re).isShortCut()).as(re).isTrue();
    }
    for (String re : List.of("(a|b)", "[ab]", "a+", "5..", "(?i)crit", "\\d+", "a.*b", ".+")) {
      assertThat(LabelRegex.compile(re).isShortCut()).as(re).isFalse();
    }
  }

  @Provide
  Arbitrary<String> expressions() {
    return Arbitraries.of(
            "a", "b", "ab", ".*", "|", "\\.", ".", "\\|", "\\*", "\n", "\\\\", "é", "*", "(", ")")
        .list()
        .ofMinSize(0)
        .ofMaxSize(6)
        .map(parts -> String.join("", parts));
  }

  @Provide
  Arbitrary<String> values() {
    return Arbitraries.of("a", "b", ".", "|", "*", "\\", "\n", "é", "ab")
        .list()
        .ofMinSize(0)
        .ofMaxSize(5)
        .map(parts -> String.join("", parts));
  }
}
