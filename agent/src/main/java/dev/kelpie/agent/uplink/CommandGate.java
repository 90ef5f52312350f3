package dev.kelpie.agent.uplink;

import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandStatus;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Lets a command through at most once: not from a coordinator epoch older than one already seen (a replaced
 * coordinator can kill nothing), not after its expiry, not twice under the same id.
 */
final class CommandGate {

  private static final int REMEMBERED = 4096;

  private final Map<String, Boolean> seen = new LinkedHashMap<>(64, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > REMEMBERED;
    }
  };
  private long epoch;

  void epoch(long coordinatorEpoch) {
    epoch = Math.max(epoch, coordinatorEpoch);
  }

  long epoch() {
    return epoch;
  }

  /** Null when the command may run (it is then remembered), else why it is refused. */
  CommandStatus admit(Command command, Instant now) {
    if (command.epoch() < epoch) {
      return CommandStatus.STALE_EPOCH;
    }
    if (seen.containsKey(command.id())) {
      return CommandStatus.DUPLICATE;
    }
    if (command.expiredAt(now)) {
      return CommandStatus.EXPIRED;
    }
    epoch = command.epoch();
    seen.put(command.id(), Boolean.TRUE);
    return null;
  }
}
