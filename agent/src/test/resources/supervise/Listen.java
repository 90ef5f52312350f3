import java.net.ServerSocket;

/** A service that listens on the port given as its argument until it is killed. */
public class Listen {
  public static void main(String[] args) throws Exception {
    try (ServerSocket server = new ServerSocket(Integer.parseInt(args[0]))) {
      System.out.println("listening on " + server.getLocalPort());
      while (true) {
        server.accept().close();
      }
    }
  }
}
