package dev.vigil.console;

/** The page that asks for an API token once and exchanges it for a session. */
final class LoginPage {
  private LoginPage() {}

  /**
   * @param next where to go after logging in (only a console path is followed)
   * @param error what went wrong with the last try, or null
   */
  static Html.Safe render(String next, String error) {
    Html h = new Html();
    h.el("h1", "Log in to Vigil");
    h.el(
        "p",
        "Paste one of the API tokens (auth.apiTokens). It is checked once and exchanged for a"
            + " session cookie; the console does not keep it.");
    if (error != null) {
      h.el("p", error, "class", "error", "role", "alert");
    }
    h.open("form", "method", "post", "action", "/ui/login", "class", "stack");
    h.open("input", "type", "hidden", "name", "next", "value", next(next));
    h.el("label", "API token", "for", "token");
    h.open(
        "input",
        "type",
        "password",
        "id",
        "token",
        "name",
        "token",
        "required",
        "",
        "autocomplete",
        "current-password",
        "autofocus",
        "");
    h.el("label", "Your name (shown in the timeline for your actions)", "for", "name");
    h.open("input", "type", "text", "id", "name", "name", "name", "maxlength", "60");
    h.el("button", "Log in", "type", "submit");
    h.close();
    return Layout.page("Log in", "", null, false, h.done());
  }

  /** {@code next} when it is a path of the console, else the incidents list. */
  static String next(String next) {
    return next != null
            && next.startsWith("/ui/")
            && !next.startsWith("/ui/login")
            && !next.contains("//")
            && !next.contains("\\")
        ? next
        : "/ui/incidents";
  }
}
