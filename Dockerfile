# One build, two images: `--target coordinator` and `--target agent`. The agent image carries the demo service too,
# which each agent supervises as a local child process (config/agent.yaml runs demo/target/kelpie-demo.jar from /app).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY shared shared
COPY agent agent
COPY coordinator coordinator
COPY demo demo
COPY bench bench
# the cache mount keeps downloaded dependencies between builds (BuildKit, the default builder of Docker 23+)
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -ntp -DskipTests package

# eclipse-temurin:17-jre is Ubuntu-based and has curl, but no procps
FROM eclipse-temurin:17-jre AS coordinator
WORKDIR /app
COPY --from=build /src/coordinator/target/kelpie-coordinator.jar /app/
EXPOSE 8420
ENTRYPOINT ["java", "-jar", "/app/kelpie-coordinator.jar"]
CMD ["--config", "/config/coordinator.yaml"]

FROM eclipse-temurin:17-jre AS agent
# the agent stops process trees with kill (procps) and starts each service in a session of its own with setsid
# (util-linux)
RUN apt-get update -qq \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends procps util-linux \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/agent/target/kelpie-agent.jar /app/
COPY --from=build /src/demo/target/kelpie-demo.jar /app/demo/target/kelpie-demo.jar
ENTRYPOINT ["java", "-jar", "/app/kelpie-agent.jar"]
CMD ["--config", "/config/agent.yaml"]
