package dev.vigil.cli;

import dev.vigil.client.ApiClient;
import dev.vigil.client.Text;

/** How client commands print an answer: the API's JSON unchanged ({@code -o json}) or a table. */
final class Output {
  private Output() {}

  /**
   * Prints the answer's body as the server sent it, on one line (nothing for an answer without a
   * body); exit 0.
   */
  static int json(ClientOptions o, ApiClient.Answer a) {
    if (!a.body().isEmpty()) {
      o.out().println(a.body().strip());
    }
    o.out().flush();
    return 0;
  }

  /** Prints the table, or {@code empty} when it has no rows; exit 0. */
  static int table(ClientOptions o, Text.Table t, String empty) {
    o.out().print(t.isEmpty() ? empty + "\n" : t.render());
    o.out().flush();
    return 0;
  }
}
