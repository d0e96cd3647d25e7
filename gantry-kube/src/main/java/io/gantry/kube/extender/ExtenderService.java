package io.gantry.kube.extender;

import static java.util.Objects.requireNonNull;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gantry.engine.Assessment;
import io.gantry.engine.PodRequest;
import io.gantry.engine.Reason;
import io.gantry.kube.scheduling.KubeWording;
import java.util.function.Function;
import io.gantry.engine.ScheduleResult;
import io.gantry.kube.model.PodDemand;
import io.gantry.kube.model.PodTranslator;
import io.gantry.kube.scheduling.KubeApi;
import io.gantry.kube.scheduling.SchedulerLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The kube-scheduler extender API on Gantry's engine: {@code filter} drops the nodes where the pod's GPUs do not
 * fit (with the reason per node), {@code prioritize} scores the rest 0..10, {@code bind} chooses the GPUs on the node
 * kube-scheduler picked, writes them on the pod and binds it. Requests and responses use kube-scheduler's exact
 * JSON shapes ({@code ExtenderArgs}, {@code ExtenderFilterResult}, {@code HostPriorityList},
 * {@code ExtenderBindingArgs}, {@code ExtenderBindingResult}): capitalised field names, embedded objects in
 * Kubernetes JSON.
 */
public final class ExtenderService {

    /** The highest score an extender may return (kube-scheduler's MaxExtenderPriority). */
    public static final int MAX_EXTENDER_PRIORITY = 10;


    private static final long TIMEOUT_SECONDS = 4; // under kube-scheduler's default 5 s httpTimeout

    private final ObjectMapper json = new ObjectMapper();
    private final KubernetesSerialization kube;
    private final SchedulerLoop loop;
    private final KubeApi api;
    private final KubernetesClient client;

    public ExtenderService(SchedulerLoop loop, KubeApi api, KubernetesClient client) {
        this.loop = requireNonNull(loop, "loop");
        this.api = requireNonNull(api, "api");
        this.client = requireNonNull(client, "client");
        this.kube = client.getKubernetesSerialization();
    }

    /** {@code ExtenderArgs} in, {@code ExtenderFilterResult} out. */
    public String filter(String body) {
        ObjectNode result = json.createObjectNode();
        ObjectNode failed = json.createObjectNode();
        ObjectNode unresolvable = json.createObjectNode();
        try {
            JsonNode args = json.readTree(body);
            PodRequest request = request(args);
            Assessment verdict = loop.call(v -> v.assess(request)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            JsonNode nodes = args.path("Nodes");
            if (nodes.isObject()) {
                ObjectNode list = (ObjectNode) nodes.deepCopy();
                ArrayNode kept = json.createArrayNode();
                for (JsonNode n : nodes.path("items")) {
                    String name = n.path("metadata").path("name").asString();
                    if (judge(name, verdict, KubeWording.forPod(request), failed, unresolvable)) {
                        kept.add(n);
                    }
                }
                list.set("items", kept);
                result.set("Nodes", list);
                result.putNull("NodeNames");
            } else {
                ArrayNode kept = json.createArrayNode();
                for (JsonNode n : args.path("NodeNames")) {
                    if (judge(n.asString(), verdict, KubeWording.forPod(request), failed, unresolvable)) {
                        kept.add(n.asString());
                    }
                }
                result.putNull("Nodes");
                result.set("NodeNames", kept);
            }
            result.set("FailedNodes", failed);
            result.set("FailedAndUnresolvableNodes", unresolvable);
            result.put("Error", "");
        } catch (Exception e) {
            result.putNull("Nodes");
            result.putNull("NodeNames");
            result.set("FailedNodes", failed);
            result.set("FailedAndUnresolvableNodes", unresolvable);
            result.put("Error", message(e));
        }
        return result.toString();
    }

    private static boolean judge(String node, Assessment verdict, Function<Reason, String> wording, ObjectNode failed,
            ObjectNode unresolvable) {
        if (verdict.feasible(node)) {
            return true;
        }
        Reason reason = verdict.rejected().get(node);
        if (reason == null) {
            failed.put(node, "node not known to Gantry yet");
        } else if (!reason.resolvable()) {
            unresolvable.put(node, wording.apply(reason));
        } else {
            failed.put(node, wording.apply(reason));
        }
        return false;
    }

    /** {@code ExtenderArgs} in, {@code HostPriorityList} out: engine scores scaled to 0..10, 0 where infeasible. */
    public String prioritize(String body) throws Exception {
        JsonNode args = json.readTree(body);
        PodRequest request = request(args);
        Assessment verdict = loop.call(v -> v.assess(request)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<String> names = new ArrayList<>();
        if (args.path("Nodes").isObject()) {
            for (JsonNode n : args.path("Nodes").path("items")) {
                names.add(n.path("metadata").path("name").asString());
            }
        } else {
            for (JsonNode n : args.path("NodeNames")) {
                names.add(n.asString());
            }
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (String n : names) {
            Double s = verdict.scores().get(n);
            if (s != null) {
                min = Math.min(min, s);
                max = Math.max(max, s);
            }
        }
        ArrayNode out = json.createArrayNode();
        for (String n : names) {
            Double s = verdict.scores().get(n);
            long score = 0;
            if (s != null) {
                score = max > min ? Math.round((s - min) / (max - min) * MAX_EXTENDER_PRIORITY)
                        : MAX_EXTENDER_PRIORITY;
            }
            out.addObject().put("Host", n).put("Score", score);
        }
        return out.toString();
    }

    /** {@code ExtenderBindingArgs} in, {@code ExtenderBindingResult} out. */
    public String bind(String body) {
        ObjectNode result = json.createObjectNode();
        try {
            JsonNode args = json.readTree(body);
            String ns = field(args, "PodNamespace");
            String name = field(args, "PodName");
            String uid = args.path("PodUID").asString("");
            String node = field(args, "Node");
            Pod pod = client.pods().inNamespace(ns).withName(name).get();
            if (pod == null) {
                throw new IllegalArgumentException("pod " + ns + "/" + name + " not found");
            }
            PodRequest request = demand(pod);
            ScheduleResult placed = loop.call(v -> v.placeOn(request, uid, node)).get(TIMEOUT_SECONDS,
                    TimeUnit.SECONDS);
            if (placed instanceof ScheduleResult.Unschedulable u) {
                throw new IllegalStateException("pod " + ns + "/" + name + " does not fit on " + node + ": "
                        + KubeWording.message(u.explanation(), request));
            }
            var allocation = ((ScheduleResult.Scheduled) placed).allocation();
            KubeApi.BindResult bound = api.bind(ns, name, uid, allocation);
            if (bound.outcome() != KubeApi.BindOutcome.BOUND) {
                loop.call(v -> {
                    v.unplace(request.name(), uid);
                    return null;
                });
                throw new IllegalStateException("binding " + ns + "/" + name + " to " + node + " failed (HTTP "
                        + bound.code() + "): " + bound.message());
            }
            result.put("Error", "");
        } catch (Exception e) {
            result.put("Error", message(e));
        }
        return result.toString();
    }

    private PodRequest request(JsonNode args) {
        JsonNode podJson = args.path("Pod");
        if (!podJson.isObject()) {
            throw new IllegalArgumentException("ExtenderArgs has no Pod");
        }
        return demand(kube.unmarshal(podJson.toString(), Pod.class));
    }

    private static PodRequest demand(Pod pod) {
        PodDemand demand = PodTranslator.translate(pod);
        if (demand instanceof PodDemand.Invalid inv) {
            throw new IllegalArgumentException("invalid GPU request: " + inv.problem());
        }
        return ((PodDemand.Valid) demand).request();
    }

    private static String field(JsonNode args, String name) {
        String v = args.path(name).asString("");
        if (v.isEmpty()) {
            throw new IllegalArgumentException("ExtenderBindingArgs has no " + name);
        }
        return v;
    }

    private static String message(Exception e) {
        Throwable t = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
