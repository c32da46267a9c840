package dev.vigil.runbook.action;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * A response body kept up to {@code cap} bytes; the rest is read and dropped, so a huge or endless
 * body costs no memory. Used on one event loop only.
 */
final class CappedBody implements WriteStream<Buffer> {
  private final int cap;
  private final Buffer kept = Buffer.buffer();
  private long seen;

  CappedBody(int cap) {
    this.cap = cap;
  }

  Buffer kept() {
    return kept;
  }

  boolean truncated() {
    return seen > cap;
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public Future<Void> write(Buffer data) {
    seen += data.length();
    int room = cap - kept.length();
    if (room > 0) {
      kept.appendBuffer(data.length() <= room ? data : data.slice(0, room));
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> end() {
    return Future.succeededFuture();
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return false;
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    return this;
  }
}
