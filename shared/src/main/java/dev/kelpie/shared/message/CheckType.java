package dev.kelpie.shared.message;

/** The kinds of probe an agent runs. */
public enum CheckType {
  HTTP,
  TCP,
  PROCESS
}
