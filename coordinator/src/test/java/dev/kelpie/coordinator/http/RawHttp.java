package dev.kelpie.coordinator.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** HTTP/1.1 by hand over a socket: any Host header, any source address on loopback, half-sent requests. */
final class RawHttp {

  record Response(int status, Map<String, String> headers, String body) {
  }

  private RawHttp() {
  }

  static Socket open(String from, int port) throws IOException {
    Socket socket = new Socket();
    socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    socket.setSoTimeout(20_000);
    return socket;
  }

  /** One request ({@code Connection: close}), its whole response. */
  static Response get(int port, String path, String host, String... headers) throws IOException {
    return send("127.0.0.1", port, "GET", path, host, null, headers);
  }

  /** One request from a given loopback address, with a JSON body when {@code json} is not null. */
  static Response send(String from, int port, String method, String path, String host, String json,
                       String... headers) throws IOException {
    try (Socket socket = open(from, port)) {
      StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
      for (String header : headers) {
        request.append(header).append("\r\n");
      }
      byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
      if (json != null) {
        request.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
      }
      request.append("Connection: close\r\n\r\n");
      socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().write(body);
      String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int split = text.indexOf("\r\n\r\n");
      String[] lines = text.substring(0, split).split("\r\n");
      Map<String, String> parsed = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        parsed.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim(),
          (first, more) -> first + "\n" + more);
      }
      return new Response(Integer.parseInt(lines[0].split(" ")[1]), parsed, text.substring(split + 4));
    }
  }

  /** Whether the server has closed this socket (reads end of stream or a reset), waiting at most the socket's timeout. */
  static boolean closedByServer(Socket socket) {
    try {
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      while (true) {
        int read = in.read(buffer);
        if (read < 0) {
          return true;
        }
      }
    } catch (IOException e) {
      return !(e instanceof java.net.SocketTimeoutException);
    }
  }
}
