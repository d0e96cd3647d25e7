package io.gantry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The image (Dockerfile) and what deploys it agree: the jar the build makes, the user the pods run as, the
 * version the chart names. There is no container engine in the build, so the image itself is not built here.
 */
class DockerfileTest {

    @Test
    void theImageRunsTheCliJarAsTheUserThePodsExpect() {
        String version = System.getProperty("gantry.version");
        assertThat(version).as("system property gantry.version (gantry-deploy/pom.xml)").isNotBlank();
        List<String> lines = Deploy.read("Dockerfile").lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();

        assertThat(lines.get(0)).isEqualTo("FROM eclipse-temurin:17-jre");
        assertThat(lines).contains("COPY gantry-cli/target/gantry-cli-" + version + "-all.jar /opt/gantry/gantry.jar");
        assertThat(lines).filteredOn(l -> l.startsWith("ENTRYPOINT")).containsExactly(
                "ENTRYPOINT [\"java\", \"-XX:MaxRAMPercentage=75\", \"-jar\", \"/opt/gantry/gantry.jar\"]");

        List<HasMetadata> chart = Deploy.renderObjects();
        var pod = Deploy.one(chart, Deployment.class).getSpec().getTemplate().getSpec();
        String user = lines.stream().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElseThrow()
                .substring("USER ".length());
        assertThat(user).isEqualTo(pod.getSecurityContext().getRunAsUser() + ":"
                + pod.getSecurityContext().getRunAsGroup());
        assertThat(lines).contains("EXPOSE " + pod.getContainers().get(0).getPorts().get(0).getContainerPort());

        // the chart's default image tag is the release of this build
        String release = version.replace("-SNAPSHOT", "");
        assertThat(pod.getContainers().get(0).getImage()).endsWith(":" + release);
        assertThat(Deploy.read("deploy/helm/gantry/Chart.yaml")).contains("appVersion: \"" + release + "\"");
    }
}
