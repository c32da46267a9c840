package dev.vigil.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StepGraphTest {
  /** "a:;b:a;c:a;d:b,c" → a needs nothing, b needs a, ... (file order kept). */
  static Map<String, List<String>> parse(String spec) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (String part : spec.split(";")) {
      String[] kv = part.split(":", -1);
      m.put(kv[0], kv[1].isEmpty() ? List.of() : List.of(kv[1].split(",")));
    }
    return m;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      a:;b:a;c:b                 | a,b,c   | c=a,b   | -
      a:;b:a;c:a;d:b,c           | a,b,c,d | d=a,b,c | -
      d:b,c;c:a;b:a;a:           | a,c,b,d | d=c,b,a | -
      x:;y:;z:                   | x,y,z   | z=      | -
      a:c;b:a;c:b                | c,a,b   | b=a,c   | c -> b -> a -> c
      a:a;b:a                    | a,b     | b=a     | a -> a
      a:b;b:a;c:                 | b,a,c   | a=b     | b -> a -> b
      """)
  void orderAncestorsAndCycles(String spec, String order, String ancestors, String cycle) {
    StepGraph.Built built = StepGraph.build(parse(spec));
    assertThat(String.join(",", built.graph().order())).isEqualTo(order);
    String[] a = ancestors.split("=", -1);
    assertThat(String.join(",", built.graph().ancestors(a[0]))).isEqualTo(a[1]);
    assertThat(built.cycles().stream().map(StepGraph.Cycle::text).findFirst().orElse("-"))
        .isEqualTo(cycle);
  }
}
