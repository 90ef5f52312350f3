package dev.kelpie.agent.supervise.manager;

import io.vertx.core.Future;

/**
 * One opened stream of a manager's change notices (Docker's event stream, a journal follower). It ends on its own
 * when it drops ({@link #ended()} fails with why, or succeeds when the other side closed it) or when closed here.
 */
interface NoticeStream {

  Future<Void> ended();

  void close();
}
