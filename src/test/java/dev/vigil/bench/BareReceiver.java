package dev.vigil.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;

/**
 * The baseline of bench/ingest/storm.sh: a Vert.x HTTP server that reads each webhook body whole
 * and answers 200, doing nothing else. What Alertmanager delivers to it is the most a receiver on
 * this machine can be sent. Prints the port it listens on. java -cp ...
 * dev.vigil.bench.BareReceiver
 */
public final class BareReceiver {
  private BareReceiver() {}

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    vertx
        .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(req -> req.body().onComplete(ar -> req.response().setStatusCode(200).end()))
        .listen()
        .onSuccess(s -> System.out.println("PORT " + s.actualPort()))
        .onFailure(
            e -> {
              e.printStackTrace();
              System.exit(1);
            });
  }
}
