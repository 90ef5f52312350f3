package dev.kelpie.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the rest of the machine spent over a measured time, from {@code /proc}: the CPU of every process of one name
 * (PostgreSQL's server and backends: {@code postgres}), and the machine's split into user, system and idle time. On
 * two cores shared by the coordinator, the load generator and PostgreSQL, a change that saves the coordinator CPU may
 * cost the database more, or the kernel; these say where it went. Linux only: elsewhere both read as nothing.
 */
final class MachineCpu {

  /** Clock ticks a second in {@code /proc}: 100 on every Linux this runs on. */
  private static final double TICKS = 100.0;

  private final String name;
  private final Map<Long, Long> ticksBefore;
  private final long[] machineBefore;

  private MachineCpu(String name) {
    this.name = name;
    this.ticksBefore = ticksOf(name);
    this.machineBefore = machine();
  }

  /** Starts measuring: the processes named {@code name} and the machine, as of now. */
  static MachineCpu from(String name) {
    return new MachineCpu(name);
  }

  /** What was spent since {@link #from}, read now, over {@code seconds}. */
  Spent until(double seconds) {
    long ticks = 0;
    for (Map.Entry<Long, Long> now : ticksOf(name).entrySet()) {
      ticks += now.getValue() - ticksBefore.getOrDefault(now.getKey(), 0L);   // a process started since: all of it
    }
    long[] machine = machine();
    long[] spent = new long[machine.length];
    for (int i = 0; i < machine.length; i++) {
      spent[i] = machine[i] - machineBefore[i];
    }
    return new Spent(name, ticks, spent, seconds);
  }

  /** The named processes' ticks, and the machine's by kind (user, system, softirq, iowait, idle), over {@code seconds}. */
  record Spent(String name, long ticks, long[] machine, double seconds) {

    /** One line per figure; {@code resultsStored} in the same time, for the cost per result (0: not told). */
    List<String> lines(double resultsStored) {
      long all = 0;
      for (long kind : machine) {
        all += kind;
      }
      return List.of(
        String.format("%s (every process of that name on this machine): CPU %.0f %% of one core (%.1f ms per 1,000 "
            + "results stored)", name, ticks / TICKS / seconds * 100,
          resultsStored <= 0 ? Double.NaN : ticks / TICKS * 1000 / resultsStored * 1000),
        all == 0 ? "machine: /proc/stat not readable" : String.format("machine (/proc/stat, %d cores): user %.0f %%, "
            + "system %.0f %%, softirq %.0f %%, iowait %.0f %%, idle %.0f %%",
          Runtime.getRuntime().availableProcessors(), 100.0 * machine[0] / all, 100.0 * machine[1] / all,
          100.0 * machine[2] / all, 100.0 * machine[3] / all, 100.0 * machine[4] / all));
    }
  }

  /** A process's CPU so far, user and system, in clock ticks (1/100 s): utime and stime of {@code /proc/PID/stat}. */
  static long cpuTicks(long pid) throws IOException {
    return cpuTicks(Files.readString(Path.of("/proc/" + pid + "/stat")));
  }

  /** utime + stime of a {@code /proc/PID/stat} line (the fields after the command's closing parenthesis). */
  private static long cpuTicks(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /** The CPU ticks (user and system) of every process named {@code name}, by pid. */
  private static Map<Long, Long> ticksOf(String name) {
    Map<Long, Long> ticks = new HashMap<>();
    try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
      processes.filter(dir -> dir.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(dir -> {
        try {
          String stat = Files.readString(dir.resolve("stat"));
          String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          if (comm.equals(name)) {
            ticks.put(Long.parseLong(dir.getFileName().toString()), cpuTicks(stat));
          }
        } catch (IOException | RuntimeException gone) {
          // the process ended while being read
        }
      });
    } catch (IOException noProc) {
      return Map.of();
    }
    return ticks;
  }

  /** The machine's ticks so far: user (with nice), system, softirq (with irq), iowait, idle. */
  private static long[] machine() {
    try {
      String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long user = Long.parseLong(cpu[1]) + Long.parseLong(cpu[2]);
      long system = Long.parseLong(cpu[3]);
      long idle = Long.parseLong(cpu[4]);
      long iowait = Long.parseLong(cpu[5]);
      long irq = Long.parseLong(cpu[6]) + Long.parseLong(cpu[7]);
      return new long[] {user, system, irq, iowait, idle};
    } catch (IOException | RuntimeException noStat) {
      return new long[5];
    }
  }
}
