package dev.vigil.ports;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class StoreExceptionTest {

  @Test
  void aFailedCommitSaysWhyOrAtLeastWhatFailedIt() {
    assertThat(StoreException.commitFailed(new SQLException("disk I/O error")))
        .hasMessage("store: commit failed: disk I/O error")
        .hasCauseInstanceOf(SQLException.class);
    // a bare NullPointerException or StackOverflowError has no message: "failed: null" said nothing
    assertThat(StoreException.commitFailed(new StackOverflowError()))
        .hasMessage("store: commit failed: StackOverflowError");
    assertThat(StoreException.commitFailed(new IllegalStateException(" ")))
        .hasMessage("store: commit failed: IllegalStateException");
  }
}
