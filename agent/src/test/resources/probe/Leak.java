import java.util.ArrayList;
import java.util.List;

/** A service that leaks: it keeps 16 MiB more every 100 ms, up to the MiB given as its argument, then idles. */
public class Leak {
  public static void main(String[] args) throws Exception {
    List<byte[]> kept = new ArrayList<>();
    long limit = Long.parseLong(args[0]) << 20;
    long held = 0;
    while (true) {
      Thread.sleep(100);
      if (held < limit) {
        byte[] chunk = new byte[16 << 20];
        for (int i = 0; i < chunk.length; i += 4096) {
          chunk[i] = 1;
        }
        kept.add(chunk);
        held += chunk.length;
      }
    }
  }
}
