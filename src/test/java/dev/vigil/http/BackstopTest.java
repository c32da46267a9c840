package dev.vigil.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.vigil.LogCapture;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An exception thrown anywhere in a handler becomes a JSON error: directly in the handler (the
 * router's failure handler), or later in a future's callback or a timer, where the router cannot
 * see it (the backstop finds the request through its context). Before, such a request was never
 * answered.
 */
class BackstopTest {
  @Test
  void anExceptionThrownAnywhereInAHandlerIsAnsweredAsJson() throws Exception {
    Backstop.prepare(); // before Vert.x starts
    Vertx vertx = Vertx.vertx();
    try (LogCapture log = new LogCapture(Level.INFO)) {
      Backstop.install(vertx);
      Router router = Router.router(vertx);
      router.route().handler(Backstop::track);
      router
          .get("/direct")
          .handler(
              ctx -> {
                throw new IllegalStateException("direct");
              });
      router
          .get("/callback")
          .handler(
              ctx ->
                  vertx
                      .executeBlocking(() -> 1)
                      .onSuccess(
                          v -> {
                            throw new IllegalArgumentException("in a callback");
                          }));
      router
          .get("/timer")
          .handler(
              ctx ->
                  vertx.setTimer(
                      1,
                      id -> {
                        throw new ArithmeticException("in a timer");
                      }));
      router
          .get("/composed")
          .handler(
              ctx ->
                  vertx
                      .executeBlocking(() -> 1)
                      .compose(v -> vertx.executeBlocking(() -> 2))
                      .onComplete(
                          ar -> {
                            throw new UnsupportedOperationException("after two hops");
                          }));
      router.route().failureHandler(HttpApi.failure((reason, n) -> {}, 1024));
      HttpServer server =
          vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
      HttpClient http = HttpClient.newHttpClient();
      Map<String, String> thrown =
          Map.of(
              "/direct",
              "IllegalStateException",
              "/callback",
              "IllegalArgumentException",
              "/timer",
              "ArithmeticException",
              "/composed",
              "UnsupportedOperationException");
      for (var e : thrown.entrySet()) {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.actualPort() + e.getKey()))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(e.getKey()).isEqualTo(500);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(new JsonObject(r.body()).getString("error"))
            .isEqualTo("internal error: " + e.getValue() + "; see the Vigil log");
        assertThat(log.errors())
            .as("logged once, with its cause")
            .filteredOn(l -> l.contains("cause: java.lang." + e.getValue()))
            .hasSize(1);
      }
    } finally {
      vertx.close().await();
    }
  }
}
