package dev.vigil.fake;

import io.vertx.core.json.JsonObject;
import java.util.List;

/** The fake PagerDuty's validation, for unit tests of event bodies. */
public final class FakePagerDutyRules {
  private FakePagerDutyRules() {}

  public static List<String> validate(JsonObject event) {
    return FakePagerDuty.validate(event);
  }
}
