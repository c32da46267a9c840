package dev.vigil.runbook.action;

/**
 * What a step would do with every template filled in: the exact request, argv or message. A dry run
 * records these; the step's kind performs them. {@link #summary()} is one line for people.
 */
public interface RenderedAction {

  String summary();
}
