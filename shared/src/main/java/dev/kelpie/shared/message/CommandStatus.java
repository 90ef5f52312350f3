package dev.kelpie.shared.message;

/** How a command ended on the agent. */
public enum CommandStatus {
  DONE,
  FAILED,
  /** Refused: it arrived after its expiry. */
  EXPIRED,
  /** Refused: it came from an older coordinator epoch than one the agent has already seen. */
  STALE_EPOCH,
  /** Refused: the agent supervises no service of that name. */
  UNKNOWN_SERVICE,
  /** Already executed (or executing) under this id; not run again. */
  DUPLICATE,
  /** Refused: the agent is restarting that service on its own decision, taken while the coordinator was away. */
  BUSY;

  public boolean refused() {
    return this != DONE && this != FAILED;
  }
}
