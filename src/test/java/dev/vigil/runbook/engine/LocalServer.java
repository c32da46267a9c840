package dev.vigil.runbook.engine;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A local HTTP server on a free loopback port that runbooks under test call: each path answers with
 * a scripted reply per call number, can hold requests until released ({@link #HOLD}) or never
 * answer ({@link #HANG}), and counts and records every call.
 */
public final class LocalServer implements AutoCloseable {
  public record Reply(int status, String body) {}

  public record Call(String method, String path, String query, String body) {}

  /** Hold the request until {@link #release()}. */
  public static final Reply HOLD = new Reply(-1, "");

  /** Never answer (until the server closes). */
  public static final Reply HANG = new Reply(-2, "");

  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final Map<String, IntFunction<Reply>> routes = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final AtomicInteger holding = new AtomicInteger();
  private volatile CountDownLatch released = new CountDownLatch(1);
  private final CountDownLatch closing = new CountDownLatch(1);

  public LocalServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(pool);
    server.createContext(
        "/",
        ex -> {
          String path = ex.getRequestURI().getPath();
          String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          calls.add(new Call(ex.getRequestMethod(), path, ex.getRequestURI().getRawQuery(), body));
          int n = counts.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
          Reply r =
              routes.getOrDefault(path, x -> new Reply(404, "{\"error\": \"no route\"}")).apply(n);
          try {
            if (r == HOLD) {
              holding.incrementAndGet();
              released.await(60, TimeUnit.SECONDS);
              holding.decrementAndGet();
              r = new Reply(200, "{\"held\": true}");
            } else if (r == HANG) {
              closing.await(120, TimeUnit.SECONDS);
              return;
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(r.status(), out.length == 0 ? -1 : out.length);
          try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
          }
        });
    server.start();
  }

  public LocalServer route(String path, IntFunction<Reply> reply) {
    routes.put(path, reply);
    return this;
  }

  public LocalServer ok(String path, String body) {
    return route(path, n -> new Reply(200, body));
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  public String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public int count(String path) {
    AtomicInteger c = counts.get(path);
    return c == null ? 0 : c.get();
  }

  public List<Call> calls() {
    return List.copyOf(calls);
  }

  public int holding() {
    return holding.get();
  }

  public void release() {
    released.countDown();
    released = new CountDownLatch(1);
  }

  @Override
  public void close() {
    closing.countDown();
    released.countDown();
    server.stop(0);
    pool.shutdownNow();
  }
}
