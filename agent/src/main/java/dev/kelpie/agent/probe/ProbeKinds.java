package dev.kelpie.agent.probe;

import dev.kelpie.shared.message.CheckType;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kinds of probe this agent runs, by type name: adding one is a probe class, its target record with its
 * reader, and one line here.
 */
public final class ProbeKinds {

  public static final ProbeKinds BUILT_IN = new ProbeKinds(List.of(
    new ProbeKind<>(CheckType.HTTP, HttpTarget.class, HttpTarget.KEYS, HttpTarget::read, HttpProbe::new),
    new ProbeKind<>(CheckType.TCP, TcpTarget.class, TcpTarget.KEYS, TcpTarget::read, TcpProbe::new),
    new ProbeKind<>(CheckType.PROCESS, ProcessTarget.class, ProcessTarget.KEYS, ProcessTarget::read,
      ProcessProbe::new),
    new ProbeKind<>(CheckType.of("exec"), ExecTarget.class, ExecTarget.KEYS, ExecTarget::read, ExecProbe::new),
    new ProbeKind<>(CheckType.of("heartbeat"), HeartbeatTarget.class, HeartbeatTarget.KEYS, HeartbeatTarget::read,
      HeartbeatProbe::new),
    new ProbeKind<>(CheckType.of("resources"), ResourcesTarget.class, ResourcesTarget.KEYS, ResourcesTarget::read,
      ResourcesProbe::new),
    new ProbeKind<>(CheckType.of("disk"), DiskTarget.class, DiskTarget.KEYS, DiskTarget::read, DiskProbe::new),
    new ProbeKind<>(CheckType.of("mount"), MountTarget.class, MountTarget.KEYS, MountTarget::read, MountProbe::new),
    new ProbeKind<>(CheckType.of("directory"), DirectoryTarget.class, DirectoryTarget.KEYS, DirectoryTarget::read,
      DirectoryProbe::new),
    new ProbeKind<>(CheckType.of("jobs"), JobsTarget.class, JobsTarget.KEYS, JobsTarget::read, JobsProbe::new),
    new ProbeKind<>(CheckType.of("sql"), SqlTarget.class, SqlTarget.KEYS, SqlTarget::read, SqlProbe::new),
    new ProbeKind<>(CheckType.of("replication"), ReplicationTarget.class, ReplicationTarget.KEYS,
      ReplicationTarget::read, ReplicationProbe::new)));

  private final Map<CheckType, ProbeKind<?>> kinds = new LinkedHashMap<>();

  public ProbeKinds(List<ProbeKind<?>> kinds) {
    kinds.forEach(kind -> {
      if (this.kinds.put(kind.type(), kind) != null) {
        throw new IllegalArgumentException("two probe kinds named " + kind.type());
      }
    });
  }

  public Optional<ProbeKind<?>> named(CheckType type) {
    return Optional.ofNullable(kinds.get(type));
  }

  public ProbeKind<?> of(CheckType type) {
    return named(type).orElseThrow(() -> new IllegalArgumentException("no probe kind named " + type));
  }

  public Collection<ProbeKind<?>> all() {
    return kinds.values();
  }

  /** The names as a sentence for error messages: "http, tcp or process". */
  public String namesInWords() {
    List<String> names = new ArrayList<>();
    kinds.keySet().forEach(type -> names.add(type.name()));
    if (names.size() < 2) {
      return String.join("", names);
    }
    return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
  }
}
