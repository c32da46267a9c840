package dev.vigil.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.classify.ClassificationReader;
import dev.vigil.config.ConfigLoader;
import dev.vigil.config.Interpolator;
import dev.vigil.config.Problem;
import dev.vigil.config.Problems;
import dev.vigil.escalation.TeamsReader;
import dev.vigil.runbook.RunbookReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Runbook, config, teams and classification files broken at random (lines dropped, YAML
 * punctuation, aliases, tags and raw bytes spliced in) and hand-written attacks (alias bombs, deep
 * nesting, huge files, tags naming Java types): each is read or refused with problems that all read
 * {@code file:line:col: message}, and nothing throws or runs away with memory.
 */
class YamlFuzzTest {
  static final RunbookReader READER =
      new RunbookReader(List.of("/usr/local/bin/clean-tmp", "kubectl"), List.of());
  static final List<String> SHIPPED =
      List.of(
          "runbooks/disk-almost-full.yaml",
          "runbooks/high-latency.yaml",
          "runbooks/service-crashed.yaml",
          "runbooks/certificate-expiring.yaml");
  static Path dir;

  @BeforeContainer
  static void tempDir() throws IOException {
    dir = Files.createTempDirectory("vigil-yaml-fuzz-");
    Files.writeString(dir.resolve("teams.yaml"), "teams: []\n");
    Files.writeString(dir.resolve("classification.yaml"), "rules: []\n");
  }

  @AfterContainer
  static void removeTempDir() throws IOException {
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /**
   * A shipped file with a few random edits, each something a careless or hostile author could type.
   */
  static Arbitrary<byte[]> mutated(List<String> files) {
    Arbitrary<String> splice =
        Arbitraries.oneOf(
            Arbitraries.of(
                ": ",
                "- ",
                "&a ",
                "*a",
                "*zz",
                "!!java.lang.Runtime ",
                "!<tag:yaml.org,2002:java.net.URL> ",
                "!custom ",
                "{",
                "}",
                "[",
                "]",
                "\t",
                "%YAML 1.1\n",
                "---\n",
                "...\n",
                "? ",
                "|\n",
                ">-\n",
                "\"",
                "'",
                "#",
                "${{",
                "}}",
                "${{ alert.labels.x }}",
                "${env:HOME}",
                "<<: *a\n",
                "\\u0000",
                "\u0000",
                "\ufeff",
                "1e999",
                "0x",
                "~",
                "null"),
            Arbitraries.strings().all().ofMaxLength(6));
    Arbitrary<Edit> edit =
        Combinators.combine(
                Arbitraries.integers().between(0, 3),
                Arbitraries.doubles().between(0, 1),
                splice,
                Arbitraries.bytes())
            .as(Edit::new);
    return Combinators.combine(Arbitraries.of(files), edit.list().ofMinSize(1).ofMaxSize(4))
        .as(
            (file, edits) -> {
              byte[] text = read(file);
              for (Edit e : edits) {
                text = e.apply(text);
              }
              return text;
            });
  }

  /** 0: splice text in; 1: drop a line; 2: one raw byte in; 3: cut the file short. */
  record Edit(int kind, double at, String text, byte b) {
    byte[] apply(byte[] in) {
      int i = (int) (in.length * at);
      String s = new String(in, StandardCharsets.UTF_8);
      return switch (kind) {
        case 0 ->
            (s.substring(0, Math.min(i, s.length())) + text + s.substring(Math.min(i, s.length())))
                .getBytes(StandardCharsets.UTF_8);
        case 1 -> {
          List<String> lines = new ArrayList<>(List.of(s.split("\n", -1)));
          lines.remove((int) (lines.size() * at) % lines.size());
          yield String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
        }
        case 2 -> {
          byte[] out = new byte[in.length + 1];
          System.arraycopy(in, 0, out, 0, i);
          out[i] = b;
          System.arraycopy(in, i, out, i + 1, in.length - i);
          yield out;
        }
        default -> Arrays.copyOf(in, i);
      };
    }
  }

  @Provide
  Arbitrary<byte[]> runbooks() {
    return mutated(SHIPPED);
  }

  @Provide
  Arbitrary<byte[]> configs() {
    return mutated(List.of("config/vigil.yaml", "src/test/resources/config/good/full.yaml"));
  }

  @Property(
      tries = 150,
      seed = "42") // each try type-checks the runbook's CEL: the slowest YAML target
  void aBrokenRunbookIsReadOrRefusedWithPositions(@ForAll("runbooks") byte[] file) {
    Problems problems = new Problems();
    boolean read = READER.parse(file, Path.of("fuzz.yaml"), "fuzz.yaml", problems).isPresent();
    assertThat(read || problems.hasErrors()).as("a runbook not read says why").isTrue();
    assertPositioned(problems, "fuzz.yaml");
  }

  @Property(tries = 200, seed = "42")
  void aBrokenConfigIsReadOrRefusedWithPositions(@ForAll("configs") byte[] file)
      throws IOException {
    Path config = dir.resolve("vigil.yaml");
    Files.write(config, file);
    Problems problems = new Problems();
    boolean read =
        new ConfigLoader(Map.of("SLACK_BOT_TOKEN", "x", "SLACK_SIGNING_SECRET", "y")::get)
            .read(config, problems)
            .isPresent();
    assertThat(read || problems.hasErrors()).as("a config not read says why").isTrue();
    assertPositioned(problems, config.toString());
  }

  @Provide
  Arbitrary<byte[]> teamsAndRules() {
    return mutated(List.of("config/teams.yaml", "config/classification.yaml"));
  }

  @Property(tries = 200, seed = "42")
  void brokenTeamsAndClassificationFilesAreReadOrRefusedWithPositions(
      @ForAll("teamsAndRules") byte[] file) throws IOException {
    Path path = dir.resolve("rules.yaml");
    Files.write(path, file);
    Problems asTeams = new Problems();
    boolean teams =
        TeamsReader.read(path, "rules.yaml", Interpolator.of(Map.of(), dir), asTeams).isPresent();
    Problems asRules = new Problems();
    boolean rules =
        ClassificationReader.read(path, "rules.yaml", Interpolator.of(Map.of(), dir), asRules)
            .isPresent();
    assertThat(teams || asTeams.hasErrors()).isTrue();
    assertThat(rules || asRules.hasErrors()).isTrue();
    assertPositioned(asTeams, "rules.yaml");
    assertPositioned(asRules, "rules.yaml");
  }

  // ---- hand-written attacks

  @Example
  void theBillionLaughsAreRefusedAtTheFirstAliasTooMany() {
    StringBuilder y =
        new StringBuilder(
            "name: lol\na0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (int i = 1; i < 10; i++) {
      y.append("a")
          .append(i)
          .append(": &a")
          .append(i)
          .append(" [")
          .append(String.join(",", Collections.nCopies(9, "*a" + (i - 1))))
          .append("]\n");
    }
    assertRefused(
        y.toString(),
        "fuzz.yaml:8:30: ",
        "YAML error: Number of aliases for non-scalar nodes exceeds the specified max=50");
  }

  @Example
  void aBinaryAliasBombWithinTheAliasCapIsRefusedBeforeItIsExpanded() {
    // 48 aliases, each level doubling the last: 2^24 nodes once expanded, though the file is 1 KiB
    StringBuilder y = new StringBuilder("name: bomb\nmatch: []\nvars:\n  l0: &l0 [x, x]\n");
    for (int i = 1; i <= 24; i++) {
      y.append("  l")
          .append(i)
          .append(": &l")
          .append(i)
          .append(" [*l")
          .append(i - 1)
          .append(", *l")
          .append(i - 1)
          .append("]\n");
    }
    y.append("steps:\n  - id: a\n    wait: 1s\n");
    long t0 = System.nanoTime();
    assertRefused(
        y.toString(),
        "fuzz.yaml:",
        "the document has more than 200000 nodes once its aliases are expanded");
    assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to refuse it").isLessThan(2000);
  }

  @Example
  void deepNestingIsRefusedWithAPosition() {
    assertRefused(
        "name: deep\nvars: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n",
        "fuzz.yaml:2:70: ",
        "YAML error: Nesting Depth exceeded max 64");
    assertRefused(
        "name: deep\nvars:\n" + nestedMaps(200),
        "fuzz.yaml:66:",
        "YAML error: Nesting Depth exceeded max 64");
  }

  static String nestedMaps(int depth) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < depth; i++) {
      sb.append("  ".repeat(i + 1)).append("k").append(i).append(":\n");
    }
    return sb.append("  ".repeat(depth + 1)).append("v\n").toString();
  }

  @Example
  void aHugeFileIsRefusedBeforeItIsRead() throws IOException {
    Path huge = dir.resolve("huge.yaml");
    Files.write(
        huge,
        ("name: huge\ndescription: \"" + "x".repeat(5 * 1024 * 1024) + "\"\n")
            .getBytes(StandardCharsets.UTF_8));
    Problems problems = new Problems();
    assertThat(READER.read(huge, "huge.yaml", problems)).isEmpty();
    assertThat(problems.errors())
        .extracting(Problem::toString)
        .containsExactly("huge.yaml:1:1: file is larger than 4 MiB");
  }

  @Example
  void tagsThatNameJavaTypesConstructNothing() {
    for (String tag :
        List.of(
            "!!java.lang.ProcessBuilder [[\"touch\", \"/tmp/pwned\"]]",
            "!<tag:yaml.org,2002:java.lang.Runtime> {}",
            "!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://127.0.0.1:9/\"]]]]",
            "!custom x",
            "!<java:object> {}",
            "!!python/object:os.system [\"id\"]")) {
      assertRefused(
          "name: tagged\ndescription: " + tag + "\n",
          "fuzz.yaml:2:14: tag ",
          "is not allowed: these files hold plain data");
    }
  }

  @Example
  void invalidUtf8IsRefused() {
    byte[] bad = "name: x\ndescription: \"caf\u00e9\"\n".getBytes(StandardCharsets.ISO_8859_1);
    Problems problems = new Problems();
    assertThat(READER.parse(bad, Path.of("fuzz.yaml"), "fuzz.yaml", problems)).isEmpty();
    assertThat(problems.errors())
        .extracting(Problem::toString)
        .containsExactly("fuzz.yaml:1:1: file is not valid UTF-8");
  }

  static void assertRefused(String yaml, String at, String says) {
    Problems problems = new Problems();
    assertThat(
            READER.parse(
                yaml.getBytes(StandardCharsets.UTF_8), Path.of("fuzz.yaml"), "fuzz.yaml", problems))
        .isEmpty();
    assertThat(problems.errors())
        .extracting(Problem::toString)
        .anySatisfy(p -> assertThat(p).startsWith(at).contains(says));
  }

  static void assertPositioned(Problems problems, String file) {
    for (Problem p : problems.sorted()) {
      assertThat(p.toString())
          .startsWith(file + ":")
          .matches("(?s)\\Q" + file + "\\E:\\d+:\\d+: \\S.*");
    }
  }

  static byte[] read(String file) {
    try {
      return Files.readAllBytes(Path.of(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
