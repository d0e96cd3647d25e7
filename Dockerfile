# Gantry's container image: the CLI's runnable jar on a Java 17 JRE, run as a non-root user.
# Build the jar first, then the image:
#   ./mvnw -B -ntp -DskipTests package -pl gantry-cli -am
#   docker build -t ghcr.io/gantry-sched/gantry:0.1.0 .
# Run the scheduler (what deploy/ does):  gantry scheduler --config /etc/gantry/config.yaml [--extender]
# Run the node agent (deploy/'s DaemonSet): gantry agent --backend auto
FROM eclipse-temurin:17-jre

LABEL org.opencontainers.image.title="gantry" \
      org.opencontainers.image.description="GPU-aware Kubernetes scheduler" \
      org.opencontainers.image.version="0.1.0"

COPY gantry-cli/target/gantry-cli-0.1.0-SNAPSHOT-all.jar /opt/gantry/gantry.jar

# 65532: the conventional "nonroot" id; the scheduler's Deployment runs as this user too. The agent's DaemonSet
# runs as root (the kubelet's socket directories are root's), with every capability dropped.
USER 65532:65532

# 8080: the scheduler's /metrics, /healthz, /readyz, /api/explain/{ns}/{pod}, /extender/*
# 9400: the node agent's /metrics (DCGM-exporter names), /healthz, /readyz
EXPOSE 8080
EXPOSE 9400

ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/gantry/gantry.jar"]
