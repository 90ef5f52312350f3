package dev.kelpie.coordinator.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A throwaway CA and certificates signed by it, made by {@code openssl} in a folder of the test's (EC P-256 keys). */
final class TestCertificates {

  private final Path dir;
  private final String ca;
  private int serial = 1;

  /** A new CA named {@code name}, valid two days. */
  TestCertificates(Path dir, String name) throws Exception {
    this.dir = dir;
    this.ca = name;
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", file(name + ".key"), "-out", file(name + ".crt"), "-days", "2", "-subj", "/CN=" + name);
  }

  Path caCert() {
    return dir.resolve(ca + ".crt");
  }

  /** A server certificate for 127.0.0.1 and localhost: {@code name}.crt and {@code name}.key. */
  Path[] server(String name) throws Exception {
    Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    return sign(name, "127.0.0.1", "2", "-extfile", file(name + ".ext"));
  }

  /** A client certificate whose subject's CN is {@code cn}; {@code days} 0 makes one that has expired a second later. */
  Path[] client(String name, String cn, int days) throws Exception {
    return sign(name, cn, String.valueOf(days));
  }

  private Path[] sign(String name, String cn, String days, String... extra) throws Exception {
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", file(name + ".key"),
      "-out", file(name + ".csr"), "-subj", "/CN=" + cn);
    List<String> args = new ArrayList<>(List.of("x509", "-req", "-in", file(name + ".csr"), "-CA", file(ca + ".crt"),
      "-CAkey", file(ca + ".key"), "-set_serial", String.valueOf(serial++), "-days", days,
      "-out", file(name + ".crt")));
    args.addAll(List.of(extra));
    openssl(args.toArray(String[]::new));
    return new Path[]{dir.resolve(name + ".crt"), dir.resolve(name + ".key")};
  }

  private String file(String name) {
    return dir.resolve(name).toString();
  }

  private static void openssl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }
}
