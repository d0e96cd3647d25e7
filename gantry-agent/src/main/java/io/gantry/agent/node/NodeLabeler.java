package io.gantry.agent.node;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes {@link NodeLabels} on the agent's Node with one JSON merge patch; lacking permission is not fatal. */
public final class NodeLabeler {

    private static final Logger LOG = LoggerFactory.getLogger(NodeLabeler.class);

    private NodeLabeler() {
    }

    /** Returns whether the labels were written. */
    public static boolean apply(KubernetesClient client, String nodeName, Map<String, String> labels) {
        String patch = Serialization.asJson(Map.of("metadata", Map.of("labels", labels)));
        try {
            if (client.nodes().withName(nodeName).patch(PatchContext.of(PatchType.JSON_MERGE), patch) == null) {
                LOG.warn("cannot label node {}: it does not exist (is --node-name right?)", nodeName);
                return false;
            }
            LOG.info("labelled node {} with {}", nodeName, labels);
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                LOG.warn("cannot label node {}: it does not exist (is --node-name right?)", nodeName);
            } else if (e.getCode() == 403) {
                LOG.warn("cannot label node {}: no permission (the agent's ClusterRole needs nodes: patch); "
                        + "GPU labels are left to GPU Feature Discovery", nodeName);
            } else {
                LOG.warn("cannot label node {}: {}", nodeName, e.getMessage());
            }
            return false;
        }
    }
}
