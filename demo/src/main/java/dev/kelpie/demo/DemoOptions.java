package dev.kelpie.demo;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** The demo service's command line, parsed by hand and checked. */
record DemoOptions(String host, int port, boolean forkChild, boolean ignoreTerm, boolean unhealthy,
                   long startDelayMillis, Path pidfile, URI kickUrl, long kickEveryMillis) {

  static final String USAGE = "usage: java -jar kelpie-demo.jar --port N [--host H] [--fork-child] [--ignore-term]"
    + " [--unhealthy] [--start-delay 2s] [--pidfile FILE] [--kick-url http://127.0.0.1:9470/kick]"
    + " [--kick-every 500ms]";

  DemoOptions(String host, int port, boolean forkChild, boolean ignoreTerm, boolean unhealthy, long startDelayMillis,
              Path pidfile) {
    this(host, port, forkChild, ignoreTerm, unhealthy, startDelayMillis, pidfile, null, 500);
  }

  static DemoOptions parse(String[] args) {
    String host = "127.0.0.1";
    Integer port = null;
    boolean fork = false;
    boolean ignoreTerm = false;
    boolean unhealthy = false;
    long delay = 0;
    Path pidfile = null;
    URI kickUrl = null;
    long kickEvery = 500;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--host" -> host = value(args, ++i, "--host");
        case "--port" -> port = number(value(args, ++i, "--port"));
        case "--fork-child" -> fork = true;
        case "--ignore-term" -> ignoreTerm = true;
        case "--unhealthy" -> unhealthy = true;
        case "--start-delay" -> delay = millis(value(args, ++i, "--start-delay"), "--start-delay");
        case "--pidfile" -> pidfile = Path.of(value(args, ++i, "--pidfile"));
        case "--kick-url" -> kickUrl = uri(value(args, ++i, "--kick-url"));
        case "--kick-every" -> kickEvery = millis(value(args, ++i, "--kick-every"), "--kick-every");
        default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
      }
    }
    if (port == null) {
      throw new IllegalArgumentException("--port is required");
    }
    if (kickEvery == 0) {
      throw new IllegalArgumentException("--kick-every must be longer than 0");
    }
    return new DemoOptions(host, port, fork, ignoreTerm, unhealthy, delay, pidfile, kickUrl, kickEvery);
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  private static int number(String text) {
    try {
      int port = Integer.parseInt(text);
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("--port must be between 0 and 65535, got " + text);
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--port must be a number, got '" + text + "'");
    }
  }

  private static URI uri(String text) {
    try {
      URI uri = new URI(text);
      if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException("--kick-url must be an http:// URL, got '" + text + "'");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("--kick-url is not a URL: " + e.getMessage());
    }
  }

  private static long millis(String text, String flag) {
    if (text.matches("\\d+ms")) {
      return Long.parseLong(text.substring(0, text.length() - 2));
    }
    if (text.matches("\\d+s")) {
      return Long.parseLong(text.substring(0, text.length() - 1)) * 1000;
    }
    throw new IllegalArgumentException(flag + " expects a duration like 500ms or 2s, got '" + text + "'");
  }
}
