package dev.kelpie.cli.remote;

import picocli.CommandLine;

/** {@code host/name}: an agent and one of its services or checks, as the commands take them. */
record Target(String agent, String name) {

  static Target parse(CommandLine command, String text, String what) {
    int slash = text.indexOf('/');
    if (slash <= 0 || slash == text.length() - 1 || text.indexOf('/', slash + 1) >= 0) {
      throw new CommandLine.ParameterException(command, "expected <host>/<" + what + ">, e.g. web-01/app, got '"
        + text + "'");
    }
    return new Target(text.substring(0, slash), text.substring(slash + 1));
  }

  String path(String kind) {
    return "/api/agents/" + Api.segment(agent) + "/" + kind + "/" + Api.segment(name);
  }

  @Override
  public String toString() {
    return agent + "/" + name;
  }
}
