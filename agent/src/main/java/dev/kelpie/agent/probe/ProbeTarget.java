package dev.kelpie.agent.probe;

/** What one kind of probe looks at, read from a check's own keys: a typed record per kind. */
public interface ProbeTarget {

  /** The target as people read it on the dashboard, e.g. {@code GET http://127.0.0.1:8081/health}. */
  String describe();
}
