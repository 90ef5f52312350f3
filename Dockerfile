# One build, two images: `--target coordinator` and `--target agent` (the agent image carries the demo service,
# which each agent supervises as a local child process).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY shared shared
COPY agent agent
COPY coordinator coordinator
COPY demo demo
COPY bench bench
RUN mvn -B -q -ntp -DskipTests package

FROM eclipse-temurin:17-jre AS coordinator
WORKDIR /app
COPY --from=build /src/coordinator/target/kelpie-coordinator.jar /app/
EXPOSE 8420
ENTRYPOINT ["java", "-jar", "/app/kelpie-coordinator.jar"]
CMD ["--config", "/config/coordinator.yaml"]

FROM eclipse-temurin:17-jre AS agent
# kill (procps) and setsid (util-linux) are used to stop process trees and to detach services
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends procps util-linux && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/agent/target/kelpie-agent.jar /app/
COPY --from=build /src/demo/target/kelpie-demo.jar /app/demo/target/kelpie-demo.jar
ENTRYPOINT ["java", "-jar", "/app/kelpie-agent.jar"]
CMD ["--config", "/config/agent.yaml"]
