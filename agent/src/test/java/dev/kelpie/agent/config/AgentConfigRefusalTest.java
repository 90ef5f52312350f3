package dev.kelpie.agent.config;

import dev.kelpie.shared.config.ConfigException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentConfigRefusalTest {

  private static final String HEAD = """
    agent: {id: web-01}
    coordinator: {url: "ws://127.0.0.1:8420/bus", token: secret}
    """;

  private static List<String> problems(String yaml, Map<String, String> env) {
    try {
      AgentConfig.fromYaml(yaml, "agent.yaml", env);
    } catch (ConfigException e) {
      return e.problems();
    }
    throw new AssertionError("expected the configuration to be refused");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
    unknown top-level key  | intrval: 3s                                                     | agent.yaml: unknown key 'intrval'
    unknown nested key     | checks: [{id: a, type: tcp, port: 1, intrval: 3s}]              | agent.yaml: checks[0]: unknown key 'intrval'
    unknown deep key       | defaults: {policy: {backoff: {inital: 1s}}}                     | agent.yaml: defaults.policy.backoff: unknown key 'inital'
    missing command        | services: [{name: demo}]                                        | agent.yaml: services[0].command: missing; expected the program and its arguments as a list, like [java, -jar, app.jar, --port, "8081"]
    command as a string    | services: [{name: demo, command: 'java -jar x.jar'}]            | agent.yaml: services[0].command: expected a list of strings like [java, -jar, app.jar, --port, "8081"] (no shell is used), got "java -jar x.jar"
    empty command          | services: [{name: demo, command: []}]                           | agent.yaml: services[0].command: must name a program to run, like [java, -jar, app.jar, --port, "8081"]
    bad duration           | services: [{name: demo, command: [x], stopGrace: 5 seconds}]    | agent.yaml: services[0].stopGrace: expected a duration like 500ms, 5s, 2m or 1h, got "5 seconds"
    duration without unit  | checks: [{id: a, type: tcp, port: 1, interval: 3}]              | agent.yaml: checks[0].interval: expected a duration like 500ms, 5s, 2m or 1h, got 3
    negative duration      | checks: [{id: a, type: tcp, port: 1, timeout: -1s}]             | agent.yaml: checks[0].timeout: expected a duration like 500ms, 5s, 2m or 1h, got "-1s"
    zero interval          | checks: [{id: a, type: tcp, port: 1, interval: 0s}]             | agent.yaml: checks[0].interval: must be longer than zero, got PT0S
    window failures over n | checks: [{id: a, type: tcp, port: 1, policy: {window: {failures: 7, of: 5}}}] | agent.yaml: checks[0].policy.window.failures: must be between 1 and window.of (5), got 7
    zero threshold         | checks: [{id: a, type: tcp, port: 1, policy: {failureThreshold: 0}}] | agent.yaml: checks[0].policy.failureThreshold: must be at least 1, got 0
    restart budget         | services: [{name: demo, command: [x], restart: {budget: {per: 0s}}}] | agent.yaml: services[0].restart.budget.per: must be longer than zero, got PT0S
    unknown service        | checks: [{id: a, type: tcp, port: 1, service: dmeo}]            | agent.yaml: checks[0].service: no service named 'dmeo' (no services are configured)
    unknown check type     | checks: [{id: a, type: icmp, port: 1}]                          | agent.yaml: checks[0].type: expected http, tcp, process, exec, heartbeat, resources, disk, mount, directory, jobs, sql or replication, got "icmp"
    key of another type    | checks: [{id: a, type: tcp, port: 1, url: 'http://x/'}]         | agent.yaml: checks[0].url: not a key of a tcp check (it belongs to http checks)
    url scheme             | checks: [{id: a, type: http, url: 'ftp://x/health'}]            | agent.yaml: checks[0].url: expected a URL starting with http:// or https:// and naming a host, got "ftp://x/health"
    missing url            | checks: [{id: a, type: http}]                                   | agent.yaml: checks[0].url: missing; expected the URL to probe, like http://127.0.0.1:8080/health
    process needs one      | checks: [{id: a, type: process, pidfile: /run/a.pid, pattern: a}] | agent.yaml: checks[0]: a process check needs exactly one of service, pidfile, pattern; got 2
    bad signal             | services: [{name: demo, command: [x], stopSignal: STOPP}]       | agent.yaml: services[0].stopSignal: expected one of TERM, INT, HUP, QUIT, USR1, USR2 (SIGTERM also works), got "STOPP"
    bad regex              | services: [{name: demo, command: [x], adopt: {pattern: '(['}}]  | agent.yaml: services[0].adopt.pattern: not a valid regular expression: Unclosed character class near index 1
    empty adopt            | services: [{name: demo, command: [x], adopt: {}}]               | agent.yaml: services[0].adopt: needs at least one of pidfile, port, pattern
    port out of range      | checks: [{id: a, type: tcp, port: 70000}]                       | agent.yaml: checks[0].port: must be between 1 and 65535, got 70000
    bad name               | services: [{name: 'my app', command: [x]}]                      | agent.yaml: services[0].name: expected 1 to 64 letters, digits, '.', '_' or '-', got "my app"
    reserved check id      | services: [{name: demo, command: [x]}]\\nchecks: [{id: demo.process, type: tcp, port: 1}] | agent.yaml: checks[0].id: 'demo.process' is kept for the process check of service demo; choose another id
    exec not allowed       | checks: [{id: a, type: exec, command: [/bin/true]}]            | agent.yaml: checks[0].command: /bin/true is not on the exec allow-list; add it under execAllow: with its SHA-256 (sha256sum /bin/true)
    exec relative program  | checks: [{id: a, type: exec, command: [true, x]}]              | agent.yaml: checks[0].command: the program must be an absolute path (no PATH lookup is done), got "true"
    exec missing command   | checks: [{id: a, type: exec}]                                  | agent.yaml: checks[0].command: missing; expected the program and its arguments as a list, like [/usr/lib/nagios/plugins/check_disk, -w, 10%] (no shell is used)
    exec command string    | checks: [{id: a, type: exec, command: '/bin/true -x'}]        | agent.yaml: checks[0].command: expected a list of strings like [/usr/lib/nagios/plugins/check_disk, -w, 10%], got "/bin/true -x"
    exec empty command     | checks: [{id: a, type: exec, command: []}]                     | agent.yaml: checks[0].command: must name a program to run, like [/usr/lib/nagios/plugins/check_disk, -w, 10%]
    exec warningFails      | checks: [{id: a, type: exec, command: [/bin/true], warningFails: sometimes}] | agent.yaml: checks[0].warningFails: expected true or false, got "sometimes"
    allow-list bad hash    | 'execAllow: [{program: /bin/true, sha256: abc}]'               | agent.yaml: execAllow[0].sha256: expected 64 hex digits, as `sha256sum /bin/true` prints them, got "abc"
    allow-list relative    | 'execAllow: [{program: bin/true, sha256: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}]' | agent.yaml: execAllow[0].program: expected an absolute path (no PATH lookup is done), got "bin/true"
    allow-list no hash     | 'execAllow: [{program: /bin/true}]'                            | agent.yaml: execAllow[0].sha256: missing; expected the SHA-256 of the program file, as `sha256sum <program>` prints it
    allow-list twice       | 'execAllow: [{program: /bin/true, sha256: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}, {program: /bin/../bin/true, sha256: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb}]' | agent.yaml: execAllow[1].program: /bin/true is already on the list; give each program once
    tcp key on exec        | checks: [{id: a, type: exec, command: [/bin/true], port: 1}]   | agent.yaml: checks[0].port: not a key of an exec check (it belongs to tcp checks)
    condition form         | 'checks: [{id: a, type: http, url: "http://x/", conditions: {db: "$.db.status is up"}}]' | agent.yaml: checks[0].conditions.db: expected <path> == <JSON value>, like $.checks.db.status == "up" (or /checks/db/status == "up"), got "$.db.status is up"
    condition wildcard     | 'checks: [{id: a, type: http, url: "http://x/", conditions: {db: "$.checks[*].status == 1"}}]' | agent.yaml: checks[0].conditions.db: expected a path of names and [indexes] starting with $ or /, like $.checks.db.status == "up" (or /checks/db/status == "up") (no wildcards or filters), got "$.checks[*].status"
    condition value        | 'checks: [{id: a, type: http, url: "http://x/", conditions: {db: "$.db == up"}}]' | agent.yaml: checks[0].conditions.db: expected a JSON value after == (a string in double quotes, a number, true, false or null), got up
    condition object       | 'checks: [{id: a, type: http, url: "http://x/", conditions: {db: "$.db == {}"}}]' | agent.yaml: checks[0].conditions.db: expected a plain JSON value after == (string, number, true, false or null), got {}
    conditions not a map   | 'checks: [{id: a, type: http, url: "http://x/", conditions: [db]}]' | agent.yaml: checks[0].conditions: expected a mapping of names to strings, got a list
    heartbeat no deadline  | checks: [{id: a, type: heartbeat, file: /run/a.beat}]          | agent.yaml: checks[0].deadline: missing; expected how long the service may go without a kick, like 10s
    heartbeat both         | checks: [{id: a, type: heartbeat, deadline: 5s, file: /run/a.beat, kickPort: 9470, token: 0123456789abcdef}] | agent.yaml: checks[0]: a heartbeat check needs exactly one of kickPort (HTTP kicks) or file (its mtime); got both
    heartbeat neither      | checks: [{id: a, type: heartbeat, deadline: 5s}]               | agent.yaml: checks[0]: a heartbeat check needs exactly one of kickPort (HTTP kicks) or file (its mtime); got neither
    heartbeat no token     | checks: [{id: a, type: heartbeat, deadline: 5s, kickPort: 9470}] | agent.yaml: checks[0].token: missing; expected the kick token of the service (at least 16 characters), like ${WORKER_KICK_TOKEN}
    heartbeat short token  | checks: [{id: a, type: heartbeat, deadline: 5s, kickPort: 9470, token: abc}] | agent.yaml: checks[0].token: must be at least 16 characters, got 3
    heartbeat file token   | checks: [{id: a, type: heartbeat, deadline: 5s, file: /run/a.beat, token: 0123456789abcdef}] | agent.yaml: checks[0].token: only for kickPort: a file heartbeat has no token
    heartbeat zero         | checks: [{id: a, type: heartbeat, deadline: 0s, file: /run/a.beat}] | agent.yaml: checks[0].deadline: must be longer than zero
    heartbeat port         | checks: [{id: a, type: heartbeat, deadline: 5s, kickPort: 0, token: 0123456789abcdef}] | agent.yaml: checks[0].kickPort: must be between 1 and 65535, got 0
    resources no service   | checks: [{id: a, type: resources, maxRss: 1GB}]                | agent.yaml: checks[0].service: missing; a resources check watches the process tree of a supervised service
    resources no limit     | services: [{name: demo, command: [x]}]\\nchecks: [{id: a, type: resources, service: demo}] | agent.yaml: checks[0]: a resources check needs at least one of maxRss, maxCpu, maxThreads, maxFds
    resources bad rss      | services: [{name: demo, command: [x]}]\\nchecks: [{id: a, type: resources, service: demo, maxRss: lots}] | agent.yaml: checks[0].maxRss: expected a size above zero like 512MB or 1GB, got "lots"
    resources bad cpu      | services: [{name: demo, command: [x]}]\\nchecks: [{id: a, type: resources, service: demo, maxCpu: 90}] | agent.yaml: checks[0].maxCpu: expected a share of one core like 90% (200% is two cores), got "90"
    resources bad fds      | services: [{name: demo, command: [x]}]\\nchecks: [{id: a, type: resources, service: demo, maxFds: 120%}] | agent.yaml: checks[0].maxFds: expected a count like 1000 or a share of the limit of each process like 90%, got "120%"
    resources samples      | services: [{name: demo, command: [x]}]\\nchecks: [{id: a, type: resources, service: demo, maxThreads: 100, forSamples: 0}] | agent.yaml: checks[0].forSamples: must be between 1 and 1000, got 0
    disk no limit          | checks: [{id: a, type: disk, path: /}]                          | agent.yaml: checks[0]: a disk check needs at least one of maxUsed, maxInodes, minTimeToFull
    disk relative path     | checks: [{id: a, type: disk, path: data, maxUsed: 90%}]         | agent.yaml: checks[0].path: must be an absolute path like /var/lib/postgresql, got "data"
    disk bad percent       | checks: [{id: a, type: disk, path: /, maxUsed: 90}]             | agent.yaml: checks[0].maxUsed: expected a percentage above 0% and up to 100% like 90%, got "90"
    disk inodes over 100   | checks: [{id: a, type: disk, path: /, maxInodes: 120%}]         | agent.yaml: checks[0].maxInodes: expected a percentage above 0% and up to 100% like 90%, got "120%"
    disk bad forecast      | checks: [{id: a, type: disk, path: /, minTimeToFull: soon}]     | agent.yaml: checks[0].minTimeToFull: expected a duration like 500ms, 5s, 2m or 1h, got "soon"
    mount no path          | checks: [{id: a, type: mount}]                                  | agent.yaml: checks[0].path: missing; expected an absolute path like /mnt/share
    mount hungAfter        | checks: [{id: a, type: mount, path: /mnt, timeout: 2s, hungAfter: 2s}] | agent.yaml: checks[0].hungAfter: must be above zero and below the check's timeout (2s), got 2s
    mount key of disk      | checks: [{id: a, type: mount, path: /mnt, maxUsed: 90%}]        | agent.yaml: checks[0].maxUsed: not a key of a mount check (it belongs to disk checks)
    directory no size      | checks: [{id: a, type: directory, path: /var/log}]              | agent.yaml: checks[0].maxSize: missing; expected a size like 500MB or 2GB
    directory bad size     | checks: [{id: a, type: directory, path: /var/log, maxSize: big}] | agent.yaml: checks[0].maxSize: expected a size above zero like 500MB or 2GB, got "big"
    sql other database     | checks: [{id: a, type: sql, database: "jdbc:mysql://h/app", query: SELECT 1, max: 1}] | agent.yaml: checks[0].database: only PostgreSQL is supported; expected a URL like postgresql://127.0.0.1:5432/app (or jdbc:postgresql://127.0.0.1:5432/app), got "jdbc:mysql://h/app"
    sql jdbc short form    | checks: [{id: a, type: sql, database: "jdbc:postgresql:app", query: SELECT 1, max: 1}] | agent.yaml: checks[0].database: the JDBC short form without a host is not supported; write the host, like jdbc:postgresql://127.0.0.1:5432/app, got "jdbc:postgresql:app"
    sql password in url    | checks: [{id: a, type: sql, database: "postgresql://u:pw@h/app", query: SELECT 1, max: 1}] | agent.yaml: checks[0].database: has a password in it, which would be shown and logged with the URL; put it in passwordEnv or passwordFile
    sql password param     | checks: [{id: a, type: sql, database: "jdbc:postgresql://h/app?password=pw", query: SELECT 1, max: 1}] | agent.yaml: checks[0].database: has a password parameter, which would be shown and logged with the URL; put it in passwordEnv or passwordFile
    sql unknown parameter  | checks: [{id: a, type: sql, database: "jdbc:postgresql://h/app?currentSchema=x", query: SELECT 1, max: 1}] | agent.yaml: checks[0].database: parameter 'currentSchema' is not supported (supported: user, sslmode, ApplicationName)
    sql two hosts          | checks: [{id: a, type: sql, database: "jdbc:postgresql://h1,h2/app", query: SELECT 1, max: 1}] | agent.yaml: checks[0].database: expected one host (several hosts, for failover, are not supported), like postgresql://127.0.0.1:5432/app (or jdbc:postgresql://127.0.0.1:5432/app), got "jdbc:postgresql://h1,h2/app"
    sql no database        | checks: [{id: a, type: sql, database: "postgresql://h:5432", query: SELECT 1, max: 1}] | agent.yaml: checks[0].database: names no database; expected a URL like postgresql://127.0.0.1:5432/app (or jdbc:postgresql://127.0.0.1:5432/app)
    sql password env unset | checks: [{id: a, type: sql, database: "postgresql://h/app", passwordEnv: KELPIE_NO_SUCH_VARIABLE, query: SELECT 1, max: 1}] | agent.yaml: checks[0].passwordEnv: the environment variable KELPIE_NO_SUCH_VARIABLE is not set
    sql password file      | checks: [{id: a, type: sql, database: "postgresql://h/app", passwordFile: /no/such/file, query: SELECT 1, max: 1}] | agent.yaml: checks[0].passwordFile: cannot read /no/such/file
    sql no threshold       | checks: [{id: a, type: sql, database: "postgresql://h/app", query: SELECT 1}] | agent.yaml: checks[0]: a sql check needs at least one of max, min, expect
    sql writes             | checks: [{id: a, type: sql, database: "postgresql://h/app", query: DELETE FROM jobs, max: 1}] | agent.yaml: checks[0].query: must be a query starting with SELECT, WITH, SHOW or VALUES (the check runs it in a read-only transaction), got "DELETE FROM jobs"
    jobs no age            | checks: [{id: a, type: jobs, database: "postgresql://h/app", table: jobs}] | agent.yaml: checks[0].stuckAfter: missing; expected how long a row may keep its stuckStatus, like 10m
    jobs bad column        | checks: [{id: a, type: jobs, database: "postgresql://h/app", table: jobs, stuckAfter: 10m, statusColumn: "state; drop"}] | agent.yaml: checks[0].statusColumn: expected a column name of letters, digits and _, got "state; drop"
    jobs bad table         | checks: [{id: a, type: jobs, database: "postgresql://h/app", table: "a.b.c", stuckAfter: 10m}] | agent.yaml: checks[0].table: expected a table name of letters, digits and _ (with a schema: app.jobs), got "a.b.c"
    jobs same statuses     | checks: [{id: a, type: jobs, database: "postgresql://h/app", table: jobs, stuckAfter: 10m, failedStatus: running}] | agent.yaml: checks[0].failedStatus: must differ from stuckStatus ('running'), or a remediated row would still be stuck
    jobs bad action        | checks: [{id: a, type: jobs, database: "postgresql://h/app", table: jobs, stuckAfter: 10m, policy: {action: fix}}] | agent.yaml: checks[0].policy.action: expected restart or remediate, got "fix"
    remediate not jobs     | checks: [{id: a, type: tcp, port: 1, policy: {action: remediate}}] | agent.yaml: checks[0].policy.action: remediate is only for jobs checks (this is a tcp check); expected restart
    replication bad role   | checks: [{id: a, type: replication, database: "postgresql://h/app", role: replica}] | agent.yaml: checks[0].role: expected primary or standby (or leave it out: either), got "replica"
    replication bad bytes  | checks: [{id: a, type: replication, database: "postgresql://h/app", maxLagBytes: far}] | agent.yaml: checks[0].maxLagBytes: expected a size like 16MB or 1GB, got "far"
    tunnel no forwards     | services: [{name: t, tunnel: {remote: a@b}}]                    | agent.yaml: services[0].tunnel.forwards: missing; expected at least one forward, like ["15432:db.internal:5432"] (local port:host:port, the host as the far side sees it)
    tunnel bad forward     | services: [{name: t, tunnel: {remote: a@b, forwards: ["8080"]}}] | agent.yaml: services[0].tunnel.forwards: expected local port:host:port, like 15432:db.internal:5432, got "8080"
    tunnel and command     | services: [{name: t, command: [x], tunnel: {remote: a@b, forwards: ["1:h:2"]}}] | agent.yaml: services[0].command: a service with a tunnel: section has no command (Kelpie makes the ssh command)
    tunnel relative key    | services: [{name: t, tunnel: {remote: a@b, forwards: ["1:h:2"], identityFile: id_ed25519}}] | agent.yaml: services[0].tunnel.identityFile: must be an absolute path, got "id_ed25519"
    tunnel unknown key     | services: [{name: t, tunnel: {remote: a@b, forwards: ["1:h:2"], jump: c}}] | agent.yaml: services[0].tunnel: unknown key 'jump'
    unset variable         | checks: [{id: a, type: http, url: '${NOPE}'}]                   | agent.yaml: checks[0].url: environment variable NOPE is not set (write ${NOPE:-default} to give a default)
    buffer too large       | 'coordinator: {url: "ws://x/bus", token: t, buffer: 0}'         | agent.yaml: coordinator.buffer: must be between 1 and 1000000, got 0
    """)
  @DisplayName("bad input is refused with the file, the path inside it and what is expected")
  void refused(String what, String yaml, String problem) {
    String head = yaml.startsWith("coordinator:") ? "agent: {id: web-01}\n" : HEAD;
    assertThat(problems(head + yaml.replace("\\n", "\n"), Map.of())).contains(problem);
  }

  @Test
  @DisplayName("duplicate service names and check ids are refused, and an unknown service lists the known ones")
  void duplicates() {
    assertThat(problems(HEAD + """
      services: [{name: demo, command: [x]}, {name: demo, command: [y]}, {name: api, command: [z]}]
      checks: [{id: a, type: tcp, port: 1}, {id: a, type: tcp, port: 2, service: dmeo}]
      """, Map.of()))
      .contains("agent.yaml: services[1].name: duplicate service name 'demo'",
        "agent.yaml: checks[1].id: duplicate check id 'a'",
        "agent.yaml: checks[1].service: no service named 'dmeo' (services: demo, api)");
  }

  @Test
  @DisplayName("dependsOn, mode and budgetScope are read for the fleet rules, and a wrong one is named")
  void fleetRuleKeys() {
    AgentConfig config = AgentConfig.fromYaml(HEAD + """
      services: [{name: app, command: [x]}]
      checks:
        - {id: db, type: tcp, port: 5432}
        - {id: app, type: tcp, port: 1, service: app, dependsOn: [db, db-host/db], mode: shadow, budgetScope: check}
      """, "agent.yaml", Map.of());
    var app = config.checkSpecs().stream().filter(c -> c.id().equals("app")).findFirst().orElseThrow();
    assertThat(app.rules().dependsOn()).containsExactly("db", "db-host/db");
    assertThat(app.rules().shadow()).isTrue();
    assertThat(app.rules().ownBudget()).isTrue();
    assertThat(problems(HEAD + """
      checks: [{id: a, type: tcp, port: 1, dependsOn: [a], mode: dry, budgetScope: host}]
      """, Map.of()))
      .contains("agent.yaml: checks[0].dependsOn[0]: expected another check's id (or agent/check), got 'a'",
        "agent.yaml: checks[0].mode: expected enforce or shadow, got \"dry\"",
        "agent.yaml: checks[0].budgetScope: expected service or check, got \"host\"");
  }

  @Test
  @DisplayName("every problem is reported at once, not only the first")
  void allProblems() {
    assertThat(problems("coordinator: {url: 'http://x'}\nservices: [{name: demo}]\n", Map.of()))
      .containsExactlyInAnyOrder(
        "agent.yaml: agent: missing section",
        "agent.yaml: agent.id: missing; expected this agent's name, like web-01 (or set KELPIE_AGENT_ID)",
        "agent.yaml: coordinator.url: expected a URL starting with ws:// or wss:// and naming a host, got \"http://x\"",
        "agent.yaml: coordinator.token: missing; expected this agent's token (or set KELPIE_AGENT_TOKEN)",
        "agent.yaml: services[0].command: missing; expected the program and its arguments as a list, like "
          + "[java, -jar, app.jar, --port, \"8081\"]");
  }

  @Test
  @DisplayName("values from the environment are checked too, and named as such")
  void environmentChecked() {
    assertThat(problems(HEAD, Map.of("KELPIE_COORDINATOR_URL", "http://coordinator:8420", "KELPIE_AGENT_ID", "a b")))
      .containsExactly(
        "agent.yaml: agent.id: expected 1 to 64 letters, digits, '.', '_' or '-', got \"a b\" (from KELPIE_AGENT_ID)",
        "agent.yaml: coordinator.url: expected a URL starting with ws:// or wss:// and naming a host, "
          + "got \"http://coordinator:8420\" (from KELPIE_COORDINATOR_URL)");
  }

  @Test
  @DisplayName("YAML that does not parse names the file and line; a missing file names the file")
  void unreadable() {
    assertThatThrownBy(() -> AgentConfig.fromYaml(HEAD + "checks: [\n  {id: a\n", "agent.yaml", Map.of()))
      .isInstanceOf(ConfigException.class).hasMessageMatching("agent\\.yaml: line \\d+, column \\d+: not valid YAML: .*");
    assertThatThrownBy(() -> AgentConfig.fromYaml(HEAD + "agent: {id: b}\n", "agent.yaml", Map.of()))
      .hasMessage("agent.yaml: line 3, column 1: not valid YAML: found duplicate key agent");
    assertThatThrownBy(() -> AgentConfig.load(Path.of("no/such/agent.yaml"), Map.of()))
      .hasMessageStartingWith("no/such/agent.yaml: no such file (looked for /");
  }
}
