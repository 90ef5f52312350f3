package dev.kelpie.agent.probe;

import io.vertx.core.Future;

import java.util.List;

/** A probe whose check can fix what it finds, on demand: list it (a dry run) or change it, returning which. */
public interface Remedy {

  /** What was listed or changed: the ids, in order. */
  record Done(boolean dryRun, List<String> ids) {
    public Done {
      ids = List.copyOf(ids);
    }
  }

  /** {@code by} is who asked, for the reason written with the change. */
  Future<Done> remediate(boolean dryRun, String by, String reason);
}
