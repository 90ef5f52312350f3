package dev.kelpie.coordinator.access;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How long a login attempt must wait, from failures before it; pure (time passed in), shared by the port's event
 * loops (its methods take turns).
 * <ul>
 *   <li>Per client address: {@value #FREE_PER_ADDRESS} failures are free, then each waits twice as long as the one
 *   before (1 s, 2 s, 4 s ... at most {@link #MAX_WAIT}), before any password is checked.</li>
 *   <li>Per user: after {@value #FREE_PER_USER} failures on a name, the same growing wait applies to that name, but
 *   only from addresses that have failed before: a right password from an address with a clean record is checked at
 *   once, so a stranger's guessing never locks the operator out.</li>
 * </ul>
 * A success clears its address's record; records are forgotten {@link #FORGET_AFTER} after their last failure, and
 * at most {@value #TRACKED} of each kind are kept (the oldest go first).
 */
public final class LoginThrottle {

  static final int FREE_PER_ADDRESS = 3;
  static final int FREE_PER_USER = 5;
  static final Duration MAX_WAIT = Duration.ofMinutes(5);
  static final Duration FORGET_AFTER = Duration.ofMinutes(30);
  private static final int TRACKED = 10_000;

  private final Map<String, Strikes> byAddress = bounded();
  private final Map<String, Strikes> byUser = bounded();

  private static final class Strikes {
    int failures;
    long lastMillis;
  }

  /** Zero when the attempt may be checked now, else how long until it may. */
  public synchronized Duration wait(String address, String user, long nowMillis) {
    Strikes fromAddress = live(byAddress, address, nowMillis);
    Duration wait = remaining(fromAddress, FREE_PER_ADDRESS, nowMillis);
    if (fromAddress != null && fromAddress.failures > 0) {
      Duration userWait = remaining(live(byUser, user, nowMillis), FREE_PER_USER, nowMillis);
      wait = userWait.compareTo(wait) > 0 ? userWait : wait;
    }
    return wait;
  }

  public synchronized void failed(String address, String user, long nowMillis) {
    strike(byAddress, address, nowMillis);
    strike(byUser, user, nowMillis);
  }

  public synchronized void succeeded(String address) {
    byAddress.remove(address);
  }

  private static Duration remaining(Strikes strikes, int free, long nowMillis) {
    if (strikes == null || strikes.failures < free) {
      return Duration.ZERO;
    }
    int doublings = Math.min(strikes.failures - free, 20);
    long waitMillis = Math.min(1000L << doublings, MAX_WAIT.toMillis());
    return Duration.ofMillis(Math.max(0, strikes.lastMillis + waitMillis - nowMillis));
  }

  private static Strikes live(Map<String, Strikes> map, String key, long nowMillis) {
    Strikes strikes = key == null ? null : map.get(key);
    if (strikes != null && nowMillis - strikes.lastMillis > FORGET_AFTER.toMillis()) {
      map.remove(key);
      return null;
    }
    return strikes;
  }

  private static void strike(Map<String, Strikes> map, String key, long nowMillis) {
    if (key == null) {
      return;
    }
    Strikes strikes = live(map, key, nowMillis);
    if (strikes == null) {
      strikes = new Strikes();
    }
    map.remove(key);   // re-inserted: the map's order is by last failure, oldest evicted first
    strikes.failures++;
    strikes.lastMillis = nowMillis;
    map.put(key, strikes);
  }

  private static Map<String, Strikes> bounded() {
    return new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Strikes> eldest) {
        return size() > TRACKED;
      }
    };
  }
}
