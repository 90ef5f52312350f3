package dev.kelpie.shared.policy;

/** The last {@code of} outcomes of a check, counting the failures among them ("3 of the last 5"). */
final class OutcomeWindow {

  private final boolean[] failed;
  private int next;
  private int size;
  private int failures;

  OutcomeWindow(int of) {
    this.failed = new boolean[of];
  }

  void add(boolean failure) {
    if (size == failed.length) {
      if (failed[next]) {
        failures--;
      }
    } else {
      size++;
    }
    failed[next] = failure;
    if (failure) {
      failures++;
    }
    next = (next + 1) % failed.length;
  }

  int failures() {
    return failures;
  }

  void clear() {
    java.util.Arrays.fill(failed, false);
    next = 0;
    size = 0;
    failures = 0;
  }
}
