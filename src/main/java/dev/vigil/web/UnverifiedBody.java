package dev.vigil.web;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads the raw body of a request signed over its bytes (Slack, PagerDuty webhooks), up to a limit
 * (413 beyond), and hands it on in the context under {@link #KEY}. Not {@code BodyHandler}: the
 * body must be read whole before its signature can be checked, so its bytes are taken from the
 * shared {@link BodyBudget} ({@code server.maxUnauthenticatedBytes}: the declared length up front,
 * or chunk by chunk) and given back when the request is over, however it ends. With the budget
 * spent the request gets 503 with {@code Retry-After: 1} and its connection closes unread. A client
 * that goes away mid-body is no error: nothing is logged above DEBUG.
 */
public final class UnverifiedBody implements Handler<RoutingContext> {
  /** The context key of the raw body, a {@link Buffer}. */
  public static final String KEY = "vigil.unverified.raw";

  private final BodyBudget budget;
  private final long limit;
  private final Runnable onBusy;

  /**
   * @param onBusy counts a request turned away because the budget was spent
   */
  public UnverifiedBody(BodyBudget budget, long limit, Runnable onBusy) {
    this.budget = budget;
    this.limit = limit;
    this.onBusy = onBusy;
  }

  /** The raw body read for this request (empty when none). */
  public static byte[] bytes(RoutingContext ctx) {
    Buffer b = ctx.get(KEY);
    return b == null ? new byte[0] : b.getBytes();
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String length = req.getHeader("Content-Length");
    long declared = 0;
    if (length != null) {
      try {
        declared = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        ctx.fail(400);
        return;
      }
      if (declared > limit) {
        ctx.fail(413);
        return;
      }
    }
    AtomicLong held = new AtomicLong();
    AtomicBoolean over = new AtomicBoolean();
    if (!reserve(ctx, held, declared)) {
      return;
    }
    ctx.addEndHandler(v -> budget.give(held.getAndSet(0)));
    Buffer body = Buffer.buffer();
    req.handler(
        chunk -> {
          if (over.get()) {
            return;
          }
          if (body.length() + chunk.length() > limit) {
            over.set(true);
            ctx.fail(413);
            return;
          }
          body.appendBuffer(chunk);
          if (body.length() > held.get() && !reserve(ctx, held, body.length() - held.get())) {
            over.set(true);
          }
        });
    req.endHandler(
        v -> {
          if (!over.get()) {
            ctx.put(KEY, body);
            ctx.next();
          }
        });
    req.exceptionHandler(
        e -> {
          if (over.compareAndSet(false, true)) {
            budget.give(held.getAndSet(0));
            ctx.fail(
                e); // a closed connection is not answered nor logged as an error (HttpApi's failure
            // handler)
          }
        });
    req.resume();
  }

  /** Takes {@code n} more bytes for this request; with none left, fails it with 503. */
  private boolean reserve(RoutingContext ctx, AtomicLong held, long n) {
    if (budget.take(n)) {
      held.addAndGet(n);
      return true;
    }
    onBusy.run();
    ctx.response().putHeader("Retry-After", "1");
    ctx.fail(
        new HttpException(
            503,
            "too many unverified request bytes held at once ("
                + budget.limit()
                + ", server.maxUnauthenticatedBytes); retry later"));
    return false;
  }
}
