package dev.vigil.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The console's HTML writer escapes by default and refuses what could run script. */
class HtmlTest {
  @Test
  void textAndAttributeValuesAreEscaped() {
    String html =
        new Html()
            .el("td", "<script>alert('x')</script> & \"q\"", "title", "\"><img src=x onerror=1>")
            .done()
            .html();
    assertThat(html)
        .isEqualTo(
            "<td title=\"&quot;&gt;&lt;img src=x onerror=1&gt;\">"
                + "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;</td>");
  }

  @Test
  void eventHandlersStyleAndMadeUpNamesAreRefused() {
    assertThatThrownBy(() -> new Html().el("a", "x", "onclick", "alert(1)"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Html().el("a", "x", "style", "background:url(x)"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Html().el("a", "x", "x=\"1\" onload", "1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Html().el("script src=x", "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void linksKeepOnlyLocalPathsAndHttpUrls() {
    assertThat(Html.url("/ui/incidents/INC-1")).isEqualTo("/ui/incidents/INC-1");
    assertThat(Html.url("https://grafana.example/d/1")).isEqualTo("https://grafana.example/d/1");
    assertThat(Html.url("javascript:alert(1)")).isEqualTo("#");
    assertThat(Html.url(" JavaScript:alert(1)")).isEqualTo("#");
    assertThat(Html.url("data:text/html,<script>")).isEqualTo("#");
    assertThat(Html.url("//evil.example/")).isEqualTo("#");
    assertThat(Html.url("/\\evil.example/")).isEqualTo("#");
  }

  @Test
  void everyOpenedTagMustBeClosed() {
    Html h = new Html().open("div").open("input", "type", "text");
    assertThatThrownBy(h::done).hasMessageContaining("unclosed tags: [div]");
    assertThat(h.close().done().html()).isEqualTo("<div><input type=\"text\"></div>");
  }
}
