# Gantry's container image: the CLI's runnable jar on a Java 17 JRE, run as a non-root user.
# Build the jar first, then the image:
#   ./mvnw -B -ntp -DskipTests package -pl gantry-cli -am
#   docker build -t ghcr.io/gantry-sched/gantry:0.1.0 .
# Run the scheduler (what deploy/ does):  gantry scheduler --config /etc/gantry/config.yaml [--extender]
FROM eclipse-temurin:17-jre

LABEL org.opencontainers.image.title="gantry" \
      org.opencontainers.image.description="GPU-aware Kubernetes scheduler" \
      org.opencontainers.image.version="0.1.0"

COPY gantry-cli/target/gantry-cli-0.1.0-SNAPSHOT-all.jar /opt/gantry/gantry.jar

# 65532: the conventional "nonroot" id; the Helm chart and the manifests run as this user too.
USER 65532:65532

# /metrics, /healthz, /readyz, /api/explain/{ns}/{pod}, /extender/*
EXPOSE 8080

ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/gantry/gantry.jar"]
