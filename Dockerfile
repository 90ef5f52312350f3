# One build, two images: `--target coordinator` and `--target agent`. The agent image carries the demo service too,
# which each agent supervises as a local child process (config/agent.yaml runs demo/target/kelpie-demo.jar from /app),
# and the kelpie command line (docker compose exec agent-a kelpie who-holds 8081).
# Base images are pinned to exact releases; pin digests too with `docker buildx imagetools inspect <image>`.
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
# every module's pom (Maven reads the whole reactor), then only the sources the images need: bench/ (and its
# Selenium) and packaging/ are never built here
COPY pom.xml .
COPY shared/pom.xml shared/
COPY agent/pom.xml agent/
COPY coordinator/pom.xml coordinator/
COPY demo/pom.xml demo/
COPY cli/pom.xml cli/
COPY bench/pom.xml bench/
COPY packaging/pom.xml packaging/
COPY shared/src shared/src
COPY agent/src agent/src
COPY coordinator/src coordinator/src
COPY demo/src demo/src
COPY cli/src cli/src
# the cache mount keeps downloaded dependencies between builds (BuildKit, the default builder of Docker 23+)
RUN --mount=type=cache,target=/root/.m2 \
  mvn -B -q -ntp -Dmaven.test.skip=true -pl shared,agent,coordinator,demo,cli package

# eclipse-temurin's JRE images are Ubuntu-based and have curl (the health checks), but no procps
FROM eclipse-temurin:17.0.15_6-jre-jammy AS coordinator
# /var/lib/kelpie holds the decision journal (store.journal); a volume mounted there starts out owned by kelpie
RUN groupadd --system --gid 10001 kelpie && useradd --system --uid 10001 --gid kelpie --home-dir /app kelpie \
  && mkdir -p /var/lib/kelpie && chown kelpie:kelpie /var/lib/kelpie
WORKDIR /app
COPY --from=build /src/coordinator/target/kelpie-coordinator.jar /app/
COPY bin/kelpie-coordinator /usr/bin/kelpie-coordinator
USER kelpie
ENV KELPIE_COORDINATOR_JAR=/app/kelpie-coordinator.jar
EXPOSE 8420
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:8420/ready || exit 1
# the JVM options that bound the coordinator's memory (README, "Sizing"); KELPIE_COORDINATOR_JAVA_OPTS adds others
ENTRYPOINT ["/usr/bin/kelpie-coordinator"]
CMD ["--config", "/config/coordinator.yaml"]

FROM eclipse-temurin:17.0.15_6-jre-jammy AS agent
# the agent stops process trees with kill (procps) and starts each service in a session of its own with setsid
# (util-linux)
RUN apt-get update -qq \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends procps util-linux \
  && rm -rf /var/lib/apt/lists/* \
  && groupadd --system --gid 10001 kelpie && useradd --system --uid 10001 --gid kelpie --home-dir /app kelpie \
  && mkdir -p /var/lib/kelpie && chown kelpie:kelpie /var/lib/kelpie
WORKDIR /app
COPY --from=build /src/agent/target/kelpie-agent.jar /app/
COPY --from=build /src/demo/target/kelpie-demo.jar /app/demo/target/kelpie-demo.jar
COPY --from=build /src/cli/target/kelpie.jar /usr/share/kelpie/kelpie.jar
COPY bin/kelpie /usr/bin/kelpie
COPY bin/kelpie-agent /usr/bin/kelpie-agent
# its services run as this user too; a volume mounted at /var/lib/kelpie starts out owned by it
USER kelpie
ENV KELPIE_AGENT_STATE_DIR=/var/lib/kelpie KELPIE_AGENT_CONFIG=/config/agent.yaml KELPIE_AGENT_JAR=/app/kelpie-agent.jar
EXPOSE 9464
# alive when it serves its metrics (config: metrics.port, 9464 unless KELPIE_AGENT_METRICS_PORT says otherwise)
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${KELPIE_AGENT_METRICS_PORT:-9464}/metrics" || exit 1
# the JVM options that keep the agent small; its class-data archive is kept in the state volume (README, "The
# agent's footprint")
ENTRYPOINT ["/usr/bin/kelpie-agent"]
CMD ["--config", "/config/agent.yaml"]
