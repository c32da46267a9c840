package dev.vigil.http;

import dev.vigil.config.Secret;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.List;
import java.util.function.Consumer;

/**
 * Checks {@code Authorization: Bearer <token>} against one scope's tokens (webhook or API). With no
 * tokens configured the scope is open (the config refuses that on a non-loopback address). Every
 * configured token is compared, in constant time, whatever the outcome.
 */
public final class Authenticator implements Handler<RoutingContext> {
  private final List<Secret> tokens;
  private final String scope;
  private final Consumer<RoutingContext> onReject;

  public Authenticator(List<Secret> tokens, String scope, Consumer<RoutingContext> onReject) {
    this.tokens = tokens;
    this.scope = scope;
    this.onReject = onReject;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (tokens.isEmpty()) {
      ctx.next();
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      onReject.accept(ctx);
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      ctx.fail(
          new HttpException(
              401, "missing bearer token: send Authorization: Bearer <" + scope + " token>"));
      return;
    }
    String presented = header.substring(7).trim();
    boolean ok = false;
    for (Secret t : tokens) {
      ok |= t.matches(presented);
    }
    if (!ok) {
      onReject.accept(ctx);
      ctx.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      ctx.fail(new HttpException(401, "invalid bearer token for " + scope + " endpoints"));
      return;
    }
    ctx.next();
  }
}
