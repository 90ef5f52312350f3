package dev.kelpie.coordinator.http;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;

/**
 * One concern of the coordinator's port (the agents' bridge, the dashboard, the API, ...): mounts its routes on the
 * port's router, in the order {@link HttpVerticle} is given them. Done when the future completes.
 */
@FunctionalInterface
public interface Routes {

  Future<Void> mount(Router router);
}
