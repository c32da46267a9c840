package dev.vigil.fake;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A team's webhook endpoint on loopback (a real Vert.x HTTP server, port 0) that checks each
 * request as the docs tell a receiver to, with its own HMAC code rather than Vigil's: {@code
 * X-Vigil-Signature: t=...,v1=...} must be HMAC-SHA256 over {@code t + "." + body} with the shared
 * secret, and {@code t} within five minutes of now; otherwise 401. It can fail the first N requests
 * with 500. Verified bodies are recorded, with their headers. Thread-safe; close it to stop its
 * Vert.x.
 */
public final class WebhookReceiver implements AutoCloseable {
  public record Delivery(JsonObject body, String deliveryId, String event, String signature) {}

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final String secret;
  private final List<Delivery> verified = new ArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private volatile int failFirst;

  public WebhookReceiver(String secret) {
    this.secret = secret;
    Router router = Router.router(vertx);
    router.post("/hooks/vigil").handler(BodyHandler.create(false));
    router.post("/hooks/vigil").handler(this::receive);
    try {
      server =
          vertx
              .createHttpServer()
              .requestHandler(router)
              .listen(0, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public String url() {
    return "http://127.0.0.1:"
        + server.actualPort()
        + "/hooks/vigil?token=not-a-secret-but-not-shown";
  }

  /** {@code scheme://host:port}, as Vigil names the receiver in messages. */
  public String origin() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** The first {@code n} requests from now get 500. */
  public WebhookReceiver failFirst(int n) {
    failFirst = requests.get() + n;
    return this;
  }

  private void receive(RoutingContext ctx) {
    int n = requests.incrementAndGet();
    if (n <= failFirst) {
      ctx.response().setStatusCode(500).end("injected failure");
      return;
    }
    byte[] body = ctx.body().buffer().getBytes();
    String header = ctx.request().getHeader("X-Vigil-Signature");
    if (!valid(header, body)) {
      refused.incrementAndGet();
      ctx.response().setStatusCode(401).end("bad signature");
      return;
    }
    synchronized (this) {
      verified.add(
          new Delivery(
              new JsonObject(new String(body, StandardCharsets.UTF_8)),
              ctx.request().getHeader("X-Vigil-Delivery"),
              ctx.request().getHeader("X-Vigil-Event"),
              header));
    }
    ctx.response().setStatusCode(204).end();
  }

  private boolean valid(String header, byte[] body) {
    if (header == null || !header.matches("t=\\d+,v1=[0-9a-f]{64}")) {
      return false;
    }
    String t = header.substring(2, header.indexOf(','));
    String v1 = header.substring(header.indexOf("v1=") + 3);
    if (Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(t)) > 300) {
      return false;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
      String expected = HexFormat.of().formatHex(mac.doFinal(body));
      return MessageDigest.isEqual(
          expected.getBytes(StandardCharsets.UTF_8), v1.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public synchronized List<Delivery> verified() {
    return List.copyOf(verified);
  }

  /** Verified deliveries of one action ({@code trigger}, {@code acknowledge}, {@code resolve}). */
  public synchronized List<Delivery> verified(String action) {
    return verified.stream().filter(d -> d.body().getString("action").equals(action)).toList();
  }

  public int requests() {
    return requests.get();
  }

  /** Requests refused for a bad or missing signature. */
  public int refused() {
    return refused.get();
  }

  @Override
  public void close() {
    vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }
}
