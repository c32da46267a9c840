package dev.vigil.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import org.junit.jupiter.api.Test;

class WriterJobTest {

  @Test
  void aCallbackThatThrowsAnErrorWhereNoContextTakesItLeavesTheOtherJobsToldAndTheThreadAlive() {
    WriterJob<String> first = job("first");
    WriterJob<String> second = job("second");
    first
        .promise
        .future()
        .onSuccess(
            v -> {
              throw new StackOverflowError();
            });

    WriterJob.completeAll(List.of(first, second));

    Future<String> told = second.promise.future();
    assertThat(told.succeeded()).isTrue();
    assertThat(told.result()).isEqualTo("second");
  }

  /** A job finished with {@code result}, whose caller has no Vert.x context: it is told here. */
  private static WriterJob<String> job(String result) {
    WriterJob<String> job = new WriterJob<>(tx -> result, null, null, Promise.promise(), null);
    job.result = result;
    return job;
  }
}
