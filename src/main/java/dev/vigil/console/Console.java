package dev.vigil.console;

import dev.vigil.http.IncidentReads;
import dev.vigil.incident.IncidentException;
import dev.vigil.incident.IncidentStore;
import dev.vigil.oncall.Overrides;
import dev.vigil.oncall.Resolver;
import dev.vigil.ports.StoreException;
import dev.vigil.runbook.RunbookReader;
import dev.vigil.runbook.RunbookRegistry;
import dev.vigil.runbook.engine.Engine;
import dev.vigil.runbook.engine.EngineException;
import dev.vigil.stats.StatsStore;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console under {@code /ui/}: server-rendered pages (every value escaped by {@link Html}),
 * SVG drawn on the server, a small script for live updates, all served from the jar. Every page but
 * the login page and the assets needs a session ({@link Sessions}); every action is a form POST
 * that carries the session's CSRF token. Pages read through the same services as the JSON API
 * ({@link IncidentReads} for incidents and runs) and act through the same ones (the incident store,
 * the runbook engine, the overrides).
 */
public final class Console {
  private static final Logger log = LoggerFactory.getLogger(Console.class);
  static final String SESSION = "console.session";
  private static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
          + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
  private static final Map<String, String> ASSETS =
      Map.of(
          "console.css", "text/css; charset=utf-8", "console.js", "text/javascript; charset=utf-8");

  /** What the console reads and acts through. */
  public record Deps(
      Sessions sessions,
      LiveFeed live,
      IncidentReads reads,
      IncidentStore incidents,
      Engine engine,
      RunbookRegistry runbooks,
      RunbookReader reader,
      Resolver resolver,
      Overrides overrides,
      StatsStore stats,
      Clock clock,
      String publicUrl) {}

  private final Deps deps;
  private final Map<String, Buffer> assets;

  public Console(Deps deps) {
    this.deps = deps;
    this.assets = Map.of("console.css", asset("console.css"), "console.js", asset("console.js"));
  }

  /** Adds the console's routes to {@code router}: {@code /} and everything under {@code /ui}. */
  public void mount(Router router) {
    Pages pages = new Pages(deps);
    Actions actions = new Actions(deps);
    router.get("/").handler(ctx -> redirect(ctx, "/ui/incidents"));
    router.get("/ui").handler(ctx -> redirect(ctx, "/ui/incidents"));
    router.get("/ui/").handler(ctx -> redirect(ctx, "/ui/incidents"));
    router.get("/ui/assets/:file").handler(this::asset);
    router.post("/ui/*").handler(BodyHandler.create(false).setBodyLimit(64 * 1024));
    router.get("/ui/login").handler(this::loginPage);
    router.post("/ui/login").handler(this::login);
    router.route("/ui/*").handler(this::gate);
    router.post("/ui/logout").handler(this::logout);
    router.get("/ui/events").handler(ctx -> deps.live().subscribe(ctx));
    router.get("/ui/incidents").handler(pages::incidents);
    router.get("/ui/incidents/rows").handler(pages::incidentRows);
    router.get("/ui/incidents/:id").handler(pages::incident);
    router.get("/ui/incidents/:id/live").handler(pages::incidentLive);
    router.post("/ui/incidents/:id/acknowledge").handler(actions::acknowledge);
    router.post("/ui/incidents/:id/resolve").handler(actions::resolve);
    router.post("/ui/incidents/:id/notes").handler(actions::note);
    router.post("/ui/incidents/:id/runs").handler(actions::startRun);
    router.post("/ui/runs/:id/approve").handler(ctx -> actions.decide(ctx, true));
    router.post("/ui/runs/:id/reject").handler(ctx -> actions.decide(ctx, false));
    router.get("/ui/oncall").handler(pages::oncall);
    router.post("/ui/overrides").handler(actions::addOverride);
    router.post("/ui/overrides/:id/delete").handler(actions::deleteOverride);
    router.get("/ui/runbooks").handler(pages::runbooks);
    router.get("/ui/stats").handler(pages::stats);
    router.route("/ui/*").failureHandler(this::failure);
  }

  /**
   * Lets a request with a valid session through (with no API tokens, gives one to whoever has
   * none); a POST must also come from this origin and carry the session's CSRF token.
   */
  private void gate(RoutingContext ctx) {
    Cookie cookie = ctx.request().getCookie(Sessions.COOKIE);
    Optional<Sessions.Session> session =
        deps.sessions().verify(cookie == null ? null : cookie.getValue());
    if (session.isEmpty() && deps.sessions().open()) {
      Sessions.Session s = deps.sessions().issue("");
      ctx.response().putHeader("Set-Cookie", deps.sessions().setCookie(s));
      session = Optional.of(s);
    }
    if (session.isEmpty()) {
      unauthenticated(ctx);
      return;
    }
    if (ctx.request().method() == HttpMethod.POST) {
      if (!sameOrigin(ctx)
          || !deps.sessions().csrfMatches(session.get(), ctx.request().getFormAttribute("csrf"))) {
        send(
            ctx,
            403,
            Layout.page(
                "Refused",
                "",
                null,
                false,
                new Html()
                    .el("h1", "Refused")
                    .el(
                        "p",
                        "This form did not come from a page of this console (its security token is"
                            + " missing or stale). Go back, reload the page and try again.")
                    .done()));
        return;
      }
    }
    ctx.put(SESSION, session.get());
    ctx.next();
  }

  /**
   * No session: a page asks for the token (401); anything else is a bare 401. A page reached from
   * another site (a link in PagerDuty or Slack) first reloads itself once: a SameSite=Strict cookie
   * is not sent on a navigation from another site, but is on the reload.
   */
  private void unauthenticated(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    boolean page =
        ctx.request().method() == HttpMethod.GET
            && !path.equals("/ui/events")
            && !path.endsWith("/rows")
            && !path.endsWith("/live");
    if (!page) {
      ctx.response()
          .setStatusCode(401)
          .putHeader("Content-Type", "text/plain; charset=utf-8")
          .putHeader("Cache-Control", "no-store")
          .end("log in to the console first: " + "/ui/login");
      return;
    }
    if ("cross-site".equals(ctx.request().getHeader("Sec-Fetch-Site"))) {
      ctx.response().putHeader("Refresh", "0");
      send(ctx, 401, Layout.page("Log in", "", null, false, new Html().el("p", "Loading…").done()));
      return;
    }
    send(ctx, 401, LoginPage.render(ctx.request().uri(), null));
  }

  private void loginPage(RoutingContext ctx) {
    String next = ctx.queryParams().get("next");
    send(ctx, 200, LoginPage.render(next, null));
  }

  /** {@code POST /ui/login}: a valid API token gives a session cookie. */
  private void login(RoutingContext ctx) {
    String next = LoginPage.next(ctx.request().getFormAttribute("next"));
    if (!sameOrigin(ctx)) {
      send(ctx, 403, LoginPage.render(next, "This form did not come from this console."));
      return;
    }
    String token = ctx.request().getFormAttribute("token");
    if (!deps.sessions().open()
        && (token == null || !deps.sessions().tokenMatches(token.strip()))) {
      log.atWarn().log("console: a login with a wrong token was refused");
      send(ctx, 401, LoginPage.render(next, "That token is not one of auth.apiTokens."));
      return;
    }
    Sessions.Session s = deps.sessions().issue(ctx.request().getFormAttribute("name"));
    ctx.response().putHeader("Set-Cookie", deps.sessions().setCookie(s));
    redirect(ctx, next);
  }

  private void logout(RoutingContext ctx) {
    ctx.response().putHeader("Set-Cookie", deps.sessions().clearCookie());
    redirect(ctx, deps.sessions().open() ? "/ui/incidents" : "/ui/login");
  }

  /**
   * A POST's {@code Origin} (or, without one, its {@code Referer}) must name this server: the host
   * the browser asked for ({@code Host}) or {@code server.publicUrl}'s. A request with neither
   * header passes (not a browser); the CSRF token still applies.
   */
  private boolean sameOrigin(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (origin == null) {
      origin = ctx.request().getHeader("Referer");
      if (origin == null) {
        return true;
      }
    }
    String host = ctx.request().authority() == null ? "" : ctx.request().authority().toString();
    return hostOf(origin).equalsIgnoreCase(host)
        || (!deps.publicUrl().isEmpty()
            && hostOf(origin).equalsIgnoreCase(hostOf(deps.publicUrl())));
  }

  /** {@code host[:port]} of an absolute URL; empty when it is not one. */
  static String hostOf(String url) {
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return "";
    }
    String rest = url.substring(scheme + 3);
    int end = rest.indexOf('/');
    return end < 0 ? rest : rest.substring(0, end);
  }

  private void asset(RoutingContext ctx) {
    String name = ctx.pathParam("file");
    Buffer body = assets.get(name);
    if (body == null) {
      ctx.response().setStatusCode(404).end();
      return;
    }
    ctx.response()
        .putHeader("Content-Type", ASSETS.get(name))
        .putHeader("Cache-Control", "max-age=300")
        .putHeader("X-Content-Type-Options", "nosniff")
        .end(body);
  }

  /** Errors of console routes as a page: 404 and 409 say why, anything else is logged. */
  private void failure(RoutingContext ctx) {
    if (ctx.response().ended() || ctx.response().closed() || ctx.response().headWritten()) {
      return;
    }
    Throwable t = ctx.failure();
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    String message;
    if (t instanceof HttpException h) {
      status = h.getStatusCode();
      message = h.getPayload() != null ? h.getPayload() : h.getMessage();
    } else if (t instanceof IncidentException ie) {
      status = ie.reason() == IncidentException.Reason.NOT_FOUND ? 404 : 409;
      message = t.getMessage();
    } else if (t instanceof EngineException ee) {
      status = ee.reason() == EngineException.Reason.NOT_FOUND ? 404 : 409;
      message = t.getMessage();
    } else if (t instanceof StoreException) {
      status = 503;
      message = "the store is unavailable; try again in a moment";
    } else if (t == null) {
      message = status == 413 ? "the form is too large" : "request failed (" + status + ")";
    } else {
      status = 500;
      message = "internal error: " + t.getClass().getSimpleName() + "; see the Vigil log";
      log.atError().setCause(t).addKeyValue("path", ctx.normalizedPath()).log("console: error");
    }
    Html body = new Html();
    body.el("h1", status == 404 ? "Not found" : status == 409 ? "Not done" : "Error");
    body.el("p", message, "role", "alert");
    body.open("p").el("a", "Back to the incidents", "href", "/ui/incidents").close();
    Sessions.Session s = ctx.get(SESSION);
    send(
        ctx,
        status,
        Layout.page("Error", "", s == null ? null : deps.sessions().csrf(s), false, body.done()));
  }

  static void redirect(RoutingContext ctx, String to) {
    ctx.response().setStatusCode(303).putHeader("Location", to).end();
  }

  /** Writes a page with the console's security headers. */
  static void send(RoutingContext ctx, int status, Html.Safe html) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Content-Security-Policy", CSP)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "same-origin")
        .putHeader("Cache-Control", "no-store")
        .end(html.html());
  }

  private static Buffer asset(String name) {
    try (InputStream in = Console.class.getResourceAsStream("assets/" + name)) {
      if (in == null) {
        throw new IllegalStateException("console asset missing from the jar: " + name);
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
