package io.gantry.kube.scheduling;

import static java.util.Objects.requireNonNull;

import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.gantry.engine.GpuAllocation;
import io.gantry.contract.GpuAssignment;
import io.gantry.contract.GpuAssignmentCodec;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The scheduler's writes to the API server: the binding through the {@code pods/{name}/binding} subresource (carrying
 * the GPU decision as annotations), events, and the {@code PodScheduled} condition. Thread-safe; every call
 * is one request (the binding is posted with the raw HTTP client so the API server's status code is kept).
 */
public final class KubeApi {

    /** What a bind attempt came to. */
    public enum BindOutcome {
        BOUND,
        /** 409: someone bound the pod first, or it is being deleted. */
        CONFLICT,
        /** 404: the pod is gone. */
        GONE,
        /** Any other failure; worth retrying. */
        ERROR
    }

    /** A bind outcome with the API server's message. */
    public record BindResult(BindOutcome outcome, int code, String message) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_SECONDS = 30;

    private final KubernetesClient client;
    private final String schedulerName;

    public KubeApi(KubernetesClient client, String schedulerName) {
        this.client = requireNonNull(client, "client");
        this.schedulerName = requireNonNull(schedulerName, "schedulerName");
    }

    private String podUrl(String namespace, String name) {
        String base = client.getMasterUrl().toString();
        return (base.endsWith("/") ? base : base + "/") + "api/v1/namespaces/" + namespace + "/pods/" + name;
    }

    /**
     * Posts a Binding to {@code pods/{name}/binding}, with the pod's UID as precondition and the GPU decision
     * ({@code gantry.io/gpu-ids}, {@code gantry.io/gpu-milli}) as the Binding's own annotations, which the API server
     * copies onto the pod in the same update that sets {@code spec.nodeName}: one request, and a refused bind leaves
     * no decision behind on the pod.
     */
    public BindResult bind(String namespace, String name, String uid, GpuAllocation allocation) {
        ObjectNode binding = JSON.createObjectNode();
        binding.put("apiVersion", "v1").put("kind", "Binding");
        ObjectNode meta = binding.putObject("metadata");
        meta.put("name", name).put("namespace", namespace);
        if (uid != null && !uid.isEmpty()) {
            meta.put("uid", uid);
        }
        if (!allocation.gpuIndices().isEmpty()) {
            ObjectNode annotations = meta.putObject("annotations");
            GpuAssignmentCodec.encode(new GpuAssignment(allocation.gpuIndices(), allocation.gpuMilliPerGpu()))
                    .forEach(annotations::put);
        }
        String node = allocation.nodeName();
        binding.putObject("target").put("apiVersion", "v1").put("kind", "Node").put("name", node);
        Answer a = post(podUrl(namespace, name) + "/binding", binding.toString());
        if (a.ok()) {
            return new BindResult(BindOutcome.BOUND, a.code(), "");
        }
        return new BindResult(a.code() == 409 ? BindOutcome.CONFLICT : a.code() == 404 ? BindOutcome.GONE
                : BindOutcome.ERROR, a.code(), a.message());
    }

    /** The API server's answer to a POST: its status code (0: no answer) and message. */
    private record Answer(int code, String message) {
        boolean ok() {
            return code >= 200 && code < 300;
        }
    }

    /** POSTs JSON with the raw HTTP client, keeping the API server's status code. */
    private Answer post(String url, String json) {
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(url)
                .post("application/json", json).build();
        try {
            HttpResponse<String> response = client.getHttpClient().sendAsync(request, String.class)
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return new Answer(response.code(), statusMessage(response.body() == null ? "" : response.body()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(0, "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            return new Answer(0, String.valueOf(e.getCause() == null ? e : e.getCause()));
        }
    }

    /** What an eviction request came to. */
    public enum EvictOutcome {
        /** 200/201: granted (the pod terminates with its grace period), or would be in a dry run. */
        EVICTED,
        /** 429: a PodDisruptionBudget does not allow it now. */
        BLOCKED,
        /** 404 (or 409 on a changed UID): the pod is gone, or is another pod now. */
        GONE,
        /** Anything else. */
        ERROR
    }

    public record EvictResult(EvictOutcome outcome, int code, String message) {
    }

    /**
     * Asks the Eviction API ({@code POST pods/{name}/eviction}, policy/v1) to evict the pod: the API server checks
     * the PodDisruptionBudgets covering it (429 when one does not allow it) and deletes it gracefully, with its own
     * {@code terminationGracePeriodSeconds} (no grace period is given here, so none is shortened). The pod's UID is a
     * precondition, so a new pod of the same name is never evicted. {@code dryRun}: only ask whether it would be.
     */
    public EvictResult evict(String namespace, String name, String uid, boolean dryRun) {
        ObjectNode eviction = JSON.createObjectNode();
        eviction.put("apiVersion", "policy/v1").put("kind", "Eviction");
        eviction.putObject("metadata").put("name", name).put("namespace", namespace);
        ObjectNode options = eviction.putObject("deleteOptions");
        if (uid != null && !uid.isEmpty()) {
            options.putObject("preconditions").put("uid", uid);
        }
        if (dryRun) {
            options.putArray("dryRun").add("All");
        }
        Answer a = post(podUrl(namespace, name) + "/eviction" + (dryRun ? "?dryRun=All" : ""), eviction.toString());
        int code = a.code();
        EvictOutcome outcome = a.ok() ? EvictOutcome.EVICTED : code == 429 ? EvictOutcome.BLOCKED
                : code == 404 || code == 409 ? EvictOutcome.GONE : EvictOutcome.ERROR;
        return new EvictResult(outcome, code, a.ok() ? "" : a.message());
    }

    /**
     * Sets the pod's {@code status.nominatedNodeName} (a merge patch of {@code pods/status}), as kube-scheduler does
     * for a preemptor: where room is being made for it. Empty clears it.
     */
    public void nominate(String namespace, String name, String node) {
        ObjectNode patch = JSON.createObjectNode();
        ObjectNode status = patch.putObject("status");
        if (node.isEmpty()) {
            status.putNull("nominatedNodeName");
        } else {
            status.put("nominatedNodeName", node);
        }
        try {
            client.pods().inNamespace(namespace).withName(name).subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    /** Queues (cluster-scoped) and PodGroups (namespaced), as fabric8 generic resources; no discovery needed. */
    public static final ResourceDefinitionContext QUEUES = new ResourceDefinitionContext.Builder()
            .withGroup("scheduling.gantry.io").withVersion("v1alpha1").withKind("Queue").withPlural("queues")
            .withNamespaced(false).build();
    public static final ResourceDefinitionContext POD_GROUPS = new ResourceDefinitionContext.Builder()
            .withGroup("scheduling.x-k8s.io").withVersion("v1alpha1").withKind("PodGroup").withPlural("podgroups")
            .withNamespaced(true).build();

    /** Merges {@code status} (JSON) into the Queue's status subresource. A queue deleted meanwhile is no error. */
    public void queueStatus(String name, String status) {
        mergeStatus(client.genericKubernetesResources(QUEUES).withName(name), status);
    }

    /** Merges {@code status} (JSON) into the PodGroup's status subresource. */
    public void podGroupStatus(String namespace, String name, String status) {
        mergeStatus(client.genericKubernetesResources(POD_GROUPS).inNamespace(namespace).withName(name), status);
    }

    private static void mergeStatus(io.fabric8.kubernetes.client.dsl.Resource<?> resource, String status) {
        try {
            resource.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":" + status
                    + "}");
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private static String statusMessage(String body) {
        try {
            return JSON.readTree(body).path("message").asString(body);
        } catch (Exception e) {
            return body;
        }
    }

    /** A core/v1 event on the pod, as {@code kubectl describe pod} shows it. */
    public void event(Pod pod, String type, String reason, String action, String message) {
        event("Pod", pod.getMetadata().getNamespace(), pod.getMetadata().getName(), pod.getMetadata().getUid(), type,
                reason, action, message);
    }

    /** A core/v1 event on a pod known by its key parts and UID (a pod whose object is not at hand, e.g. a victim). */
    public void podEvent(String namespace, String name, String uid, String type, String reason, String action,
            String message) {
        event("Pod", namespace, name, uid, type, reason, action, message);
    }

    /**
     * A core/v1 event on a node, as {@code kubectl describe node} shows it; in namespace {@code default}, where the
     * kubelet writes its node events too.
     */
    public void nodeEvent(String node, String type, String reason, String action, String message) {
        event("Node", null, node, null, type, reason, action, message);
    }

    /**
     * Posts the event as JSON with the raw HTTP client, as the binding: fabric8's typed create would build the model
     * object, serialize it, and parse the Event the API server sends back, which no one reads (one per bound pod).
     */
    private void event(String kind, String namespace, String name, String uid, String type, String reason,
            String action, String message) {
        String ns = namespace == null ? "default" : namespace;
        Instant now = Instant.now();
        String ts = DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
        String note = message.length() > 1024 ? message.substring(0, 1021) + "..." : message;
        ObjectNode event = JSON.createObjectNode();
        event.put("apiVersion", "v1").put("kind", "Event");
        event.putObject("metadata").put("namespace", ns)
                .put("name", name + "." + Long.toHexString(System.nanoTime()).toLowerCase(Locale.ROOT));
        ObjectNode involved = event.putObject("involvedObject").put("apiVersion", "v1").put("kind", kind);
        if (namespace != null) {
            involved.put("namespace", namespace);
        }
        involved.put("name", name);
        if (uid != null) {
            involved.put("uid", uid);
        }
        event.put("type", type).put("reason", reason).put("action", action).put("message", note);
        event.putObject("source").put("component", schedulerName);
        event.put("reportingComponent", schedulerName).put("reportingInstance", schedulerName)
                .put("firstTimestamp", ts).put("lastTimestamp", ts)
                .put("eventTime", DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.MICROS)))
                .put("count", 1);
        String base = client.getMasterUrl().toString();
        String url = (base.endsWith("/") ? base : base + "/") + "api/v1/namespaces/" + ns + "/events";
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(url)
                .post("application/json", event.toString()).build();
        HttpResponse<String> response;
        try {
            response = client.getHttpClient().sendAsync(request, String.class).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesClientException("interrupted while writing an event");
        } catch (ExecutionException | TimeoutException e) {
            throw new KubernetesClientException("could not write an event: " + (e.getCause() == null ? e
                    : e.getCause()));
        }
        if (response.code() < 200 || response.code() >= 300) {
            throw new KubernetesClientException("event refused (HTTP " + response.code() + "): "
                    + statusMessage(response.body() == null ? "" : response.body()), response.code(), null);
        }
    }

    /** Sets the pod's {@code PodScheduled} condition. */
    public void condition(Pod pod, String status, String reason, String message) {
        condition(pod, "PodScheduled", status, reason, message);
    }

    /**
     * Sets one condition of the pod: a strategic merge patch of {@code pods/status}, which merges conditions by type.
     * Servers without strategic merge (415) get a JSON merge patch of the pod's current conditions (read first) with
     * this one replaced.
     */
    public void condition(Pod pod, String type, String status, String reason, String message) {
        ObjectNode cond = JSON.createObjectNode();
        cond.put("type", type).put("status", status).put("reason", reason).put("message", message)
                .put("lastTransitionTime", DateTimeFormatter.ISO_INSTANT.format(Instant.now()
                        .truncatedTo(ChronoUnit.SECONDS)));
        ObjectNode patch = JSON.createObjectNode();
        patch.putObject("status").putArray("conditions").add(cond);
        var resource = client.pods().inNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName());
        try {
            resource.subresource("status").patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch.toString());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return;
            }
            if (e.getCode() != 415) {
                throw e;
            }
            Pod current = resource.get();
            if (current == null) {
                return;
            }
            ObjectNode merged = JSON.createObjectNode();
            var list = merged.putObject("status").putArray("conditions");
            if (current.getStatus() != null && current.getStatus().getConditions() != null) {
                for (var c : current.getStatus().getConditions()) {
                    if (!type.equals(c.getType())) {
                        list.add(JSON.valueToTree(c));
                    }
                }
            }
            list.add(cond);
            resource.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), merged.toString());
        }
    }
}
