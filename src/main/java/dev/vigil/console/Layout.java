package dev.vigil.console;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/** The frame every console page shares (head, navigation, skip link) and small shared pieces. */
final class Layout {
  /** The navigation: path and label. */
  static final List<Map.Entry<String, String>> NAV =
      List.of(
          Map.entry("/ui/incidents", "Incidents"),
          Map.entry("/ui/oncall", "On call"),
          Map.entry("/ui/runbooks", "Runbooks"),
          Map.entry("/ui/stats", "Stats"));

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private Layout() {}

  /**
   * A whole page: {@code current} is the navigation entry to mark, {@code csrf} the session's token
   * for the logout form (null: no session, as on the login page).
   */
  static Html.Safe page(
      String title, String current, String csrf, boolean canLogOut, Html.Safe body) {
    Html h = new Html();
    h.safe(new Html.Safe("<!doctype html>"));
    h.open("html", "lang", "en");
    h.open("head");
    h.open("meta", "charset", "utf-8");
    h.open("meta", "name", "viewport", "content", "width=device-width, initial-scale=1");
    h.el("title", title + " · Vigil");
    h.open("link", "rel", "stylesheet", "href", "/ui/assets/console.css");
    h.open("script", "src", "/ui/assets/console.js", "defer", "").close();
    h.close(); // head
    h.open("body");
    h.el("a", "Skip to content", "class", "skip", "href", "#main");
    h.open("header", "class", "top");
    h.el("a", "Vigil", "class", "brand", "href", "/ui/incidents");
    if (csrf != null) {
      h.open("nav", "aria-label", "Main");
      h.open("ul");
      for (Map.Entry<String, String> e : NAV) {
        h.open("li");
        h.el(
            "a",
            e.getValue(),
            "href",
            e.getKey(),
            "aria-current",
            e.getKey().equals(current) ? "page" : null);
        h.close();
      }
      h.close().close();
      if (canLogOut) {
        h.open("form", "method", "post", "action", "/ui/logout", "class", "logout");
        csrfField(h, csrf);
        h.el("button", "Log out", "type", "submit");
        h.close();
      }
    }
    h.close(); // header
    h.open("main", "id", "main", "tabindex", "-1");
    h.safe(body);
    h.close();
    h.close().close(); // body, html
    return h.done();
  }

  /** The hidden field that carries the session's CSRF token in every form. */
  static void csrfField(Html h, String csrf) {
    h.open("input", "type", "hidden", "name", "csrf", "value", csrf);
  }

  /** A one-button form posting to {@code action}. */
  static void button(Html h, String action, String csrf, String label, String... hidden) {
    h.open("form", "method", "post", "action", action, "class", "inline");
    csrfField(h, csrf);
    for (int i = 0; i < hidden.length; i += 2) {
      h.open("input", "type", "hidden", "name", hidden[i], "value", hidden[i + 1]);
    }
    h.el("button", label, "type", "submit");
    h.close();
  }

  /**
   * A state shown as text with a colour class ({@code state state-failed}): the word carries the
   * meaning, the colour only repeats it.
   */
  static void state(Html h, String state) {
    h.el("span", state, "class", "state state-" + state.replaceAll("[^a-z-]", ""));
  }

  /** An instant in UTC, in a {@code <time>} element; an em dash for none. */
  static void time(Html h, Instant t) {
    if (t == null) {
      h.text("—");
      return;
    }
    h.el("time", TIME.format(t), "datetime", t.toString());
  }

  /** An instant in {@code zone}, as text. */
  static String time(Instant t, ZoneId zone) {
    ZoneId z = zone.equals(ZoneOffset.UTC) ? ZoneId.of("UTC") : zone;
    return DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm z").withZone(z).format(t);
  }

  /** A duration in a few characters: 45s, 12m, 3h 5m, 2d 4h. */
  static String age(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return s / 60 + "m";
    }
    if (s < 86400) {
      return s / 3600 + "h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + "m");
    }
    return s / 86400 + "d" + (s % 86400 / 3600 == 0 ? "" : " " + s % 86400 / 3600 + "h");
  }
}
