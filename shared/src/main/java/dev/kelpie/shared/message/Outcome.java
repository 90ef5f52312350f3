package dev.kelpie.shared.message;

/** What one probe found. */
public enum Outcome {
  UP,
  DOWN
}
