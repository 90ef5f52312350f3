package dev.kelpie.agent.probe;

import dev.kelpie.shared.config.ConfigNode;
import dev.kelpie.shared.message.CheckType;

import java.time.Duration;
import java.util.List;

/**
 * One kind of probe: its type name, the config keys of its own, the reader that turns those keys into its typed
 * target, and how to make a probe for a target. {@link ProbeKinds} keeps them by name.
 */
public record ProbeKind<T extends ProbeTarget>(CheckType type, Class<T> targetType, List<String> keys,
                                               Reader<T> reader, Maker<T> maker) {

  /** What a target reader knows beyond the check's own keys: its service, its timeout, the exec allow-list. */
  public record CheckBasics(String service, Duration timeout, ExecAllowList execAllow) {
  }

  /** Reads the kind's own keys; reports each bad value on the node and returns a target anyway. */
  @FunctionalInterface
  public interface Reader<T> {
    T read(ConfigNode node, CheckBasics check);
  }

  @FunctionalInterface
  public interface Maker<T> {
    Probe make(T target, ProbeTools tools);
  }

  public ProbeKind {
    keys = List.copyOf(keys);
  }

  public Probe probe(ProbeTarget target, ProbeTools tools) {
    return maker.make(targetType.cast(target), tools);
  }
}
