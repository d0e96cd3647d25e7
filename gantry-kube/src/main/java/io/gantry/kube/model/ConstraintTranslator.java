package io.gantry.kube.model;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.gantry.engine.PodAttributes;
import io.gantry.engine.placement.LabelSelector;
import io.gantry.engine.placement.NodeSelectorRequirement;
import io.gantry.engine.plugins.InterPodAffinity;
import io.gantry.engine.plugins.NodePorts;
import io.gantry.engine.plugins.PodTopologySpread;
import io.gantry.kube.model.PodTranslator.InvalidPodException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pod's inter-pod affinity and anti-affinity, topology spread constraints and host ports as the engine plugins'
 * data ({@link InterPodAffinity#TERMS}, {@link PodTopologySpread#CONSTRAINTS}, {@link NodePorts#PORTS}), with
 * Kubernetes' defaults. What Gantry cannot check is refused with the reason: a namespaceSelector with labels (Gantry
 * does not watch namespaces; an empty one, all namespaces, is supported).
 */
final class ConstraintTranslator {

    private ConstraintTranslator() {
    }

    static PodAttributes attributes(PodSpec spec, String namespace, Map<String, String> podLabels) {
        PodAttributes attributes = PodAttributes.NONE;
        InterPodAffinity.Terms terms = terms(spec.getAffinity(), namespace, podLabels);
        if (terms != null) {
            attributes = attributes.with(InterPodAffinity.TERMS, terms);
        }
        List<TopologySpreadConstraint> spread = list(spec.getTopologySpreadConstraints());
        if (!spread.isEmpty()) {
            List<PodTopologySpread.Constraint> constraints = new ArrayList<>();
            for (TopologySpreadConstraint c : spread) {
                constraints.add(constraint(c, podLabels));
            }
            attributes = attributes.with(PodTopologySpread.CONSTRAINTS,
                    new PodTopologySpread.Constraints(namespace, constraints));
        }
        List<NodePorts.HostPort> ports = hostPorts(spec);
        if (!ports.isEmpty()) {
            attributes = attributes.with(NodePorts.PORTS, new NodePorts.HostPorts(ports));
        }
        return attributes;
    }

    // ---- inter-pod affinity --------------------------------------------------------------------------------

    private static InterPodAffinity.Terms terms(Affinity affinity, String namespace, Map<String, String> podLabels) {
        if (affinity == null || (affinity.getPodAffinity() == null && affinity.getPodAntiAffinity() == null)) {
            return null;
        }
        var aff = affinity.getPodAffinity();
        var anti = affinity.getPodAntiAffinity();
        InterPodAffinity.Terms t = new InterPodAffinity.Terms(namespace,
                required(aff == null ? null : aff.getRequiredDuringSchedulingIgnoredDuringExecution(), namespace,
                        podLabels, "podAffinity"),
                required(anti == null ? null : anti.getRequiredDuringSchedulingIgnoredDuringExecution(), namespace,
                        podLabels, "podAntiAffinity"),
                preferred(aff == null ? null : aff.getPreferredDuringSchedulingIgnoredDuringExecution(), namespace,
                        podLabels, "podAffinity"),
                preferred(anti == null ? null : anti.getPreferredDuringSchedulingIgnoredDuringExecution(), namespace,
                        podLabels, "podAntiAffinity"));
        return t.hasRequired() || t.hasPreferred() ? t : null;
    }

    private static List<InterPodAffinity.Term> required(List<PodAffinityTerm> terms, String namespace,
            Map<String, String> podLabels, String where) {
        List<InterPodAffinity.Term> out = new ArrayList<>();
        for (PodAffinityTerm t : list(terms)) {
            out.add(term(t, namespace, podLabels, where + ".requiredDuringSchedulingIgnoredDuringExecution"));
        }
        return out;
    }

    private static List<InterPodAffinity.WeightedTerm> preferred(List<WeightedPodAffinityTerm> terms,
            String namespace, Map<String, String> podLabels, String where) {
        List<InterPodAffinity.WeightedTerm> out = new ArrayList<>();
        for (WeightedPodAffinityTerm w : list(terms)) {
            String path = where + ".preferredDuringSchedulingIgnoredDuringExecution";
            if (w.getPodAffinityTerm() == null || w.getWeight() == null || w.getWeight() < 1 || w.getWeight() > 100) {
                throw new InvalidPodException(path + ": every term needs a podAffinityTerm and a weight of 1..100");
            }
            out.add(new InterPodAffinity.WeightedTerm(w.getWeight(), term(w.getPodAffinityTerm(), namespace,
                    podLabels, path)));
        }
        return out;
    }

    private static InterPodAffinity.Term term(PodAffinityTerm t, String namespace, Map<String, String> podLabels,
            String path) {
        String key = t.getTopologyKey();
        if (key == null || key.isEmpty()) {
            throw new InvalidPodException(path + ": a term has no topologyKey; set one, e.g. kubernetes.io/hostname");
        }
        LabelSelector selector = selector(t.getLabelSelector(), path);
        for (String k : list(t.getMatchLabelKeys())) {
            String v = podLabels.get(k);
            if (v != null) {
                selector = selector.and(new NodeSelectorRequirement(k, NodeSelectorRequirement.Operator.IN,
                        List.of(v)));
            }
        }
        for (String k : list(t.getMismatchLabelKeys())) {
            String v = podLabels.get(k);
            if (v != null) {
                selector = selector.and(new NodeSelectorRequirement(k, NodeSelectorRequirement.Operator.NOT_IN,
                        List.of(v)));
            }
        }
        var nsSelector = t.getNamespaceSelector();
        boolean all = false;
        if (nsSelector != null) {
            if (!list(nsSelector.getMatchExpressions()).isEmpty()
                    || (nsSelector.getMatchLabels() != null && !nsSelector.getMatchLabels().isEmpty())) {
                throw new InvalidPodException(path + " (topologyKey " + key + "): a namespaceSelector with labels "
                        + "is not supported, since Gantry does not read namespace labels; list the namespaces in "
                        + "'namespaces', or use an empty namespaceSelector ({}) for every namespace");
            }
            all = true;
        }
        List<String> namespaces = list(t.getNamespaces());
        Set<String> ns = namespaces.isEmpty() && nsSelector == null ? Set.of(namespace) : Set.copyOf(namespaces);
        return new InterPodAffinity.Term(selector, ns, all, key);
    }

    /** A missing selector selects nothing, as in kube-scheduler. */
    private static LabelSelector selector(io.fabric8.kubernetes.api.model.LabelSelector s, String path) {
        if (s == null) {
            return LabelSelector.NOTHING;
        }
        List<NodeSelectorRequirement> expressions = new ArrayList<>();
        for (LabelSelectorRequirement r : list(s.getMatchExpressions())) {
            try {
                NodeSelectorRequirement.Operator op = NodeSelectorRequirement.Operator.parse(r.getOperator());
                expressions.add(new NodeSelectorRequirement(r.getKey(), op, list(r.getValues())));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new InvalidPodException(path + ": label selector: " + e.getMessage());
            }
        }
        try {
            return new LabelSelector(s.getMatchLabels() == null ? Map.of() : s.getMatchLabels(), expressions);
        } catch (IllegalArgumentException e) {
            throw new InvalidPodException(path + ": " + e.getMessage());
        }
    }

    // ---- topology spread -----------------------------------------------------------------------------------

    private static PodTopologySpread.Constraint constraint(TopologySpreadConstraint c, Map<String, String> podLabels) {
        String path = "topologySpreadConstraints (topologyKey " + c.getTopologyKey() + ")";
        String when = c.getWhenUnsatisfiable();
        boolean doNotSchedule;
        if ("DoNotSchedule".equals(when)) {
            doNotSchedule = true;
        } else if ("ScheduleAnyway".equals(when)) {
            doNotSchedule = false;
        } else {
            throw new InvalidPodException(path + ": whenUnsatisfiable is '" + when
                    + "'; expected DoNotSchedule or ScheduleAnyway");
        }
        LabelSelector selector = selector(c.getLabelSelector(), path);
        for (String k : list(c.getMatchLabelKeys())) {
            String v = podLabels.get(k);
            if (v != null) {
                selector = selector.and(new NodeSelectorRequirement(k, NodeSelectorRequirement.Operator.IN,
                        List.of(v)));
            }
        }
        boolean honorAffinity = policy(c.getNodeAffinityPolicy(), true, path + ": nodeAffinityPolicy");
        boolean honorTaints = policy(c.getNodeTaintsPolicy(), false, path + ": nodeTaintsPolicy");
        try {
            return new PodTopologySpread.Constraint(c.getMaxSkew() == null ? 0 : c.getMaxSkew(),
                    c.getTopologyKey() == null ? "" : c.getTopologyKey(), doNotSchedule, selector,
                    c.getMinDomains() == null ? 1 : c.getMinDomains(), honorAffinity, honorTaints);
        } catch (IllegalArgumentException e) {
            throw new InvalidPodException(path + ": " + e.getMessage());
        }
    }

    private static boolean policy(String value, boolean byDefault, String what) {
        if (value == null || value.isEmpty()) {
            return byDefault;
        }
        return switch (value) {
            case "Honor" -> true;
            case "Ignore" -> false;
            default -> throw new InvalidPodException(what + " is '" + value + "'; expected Honor or Ignore");
        };
    }

    // ---- host ports ----------------------------------------------------------------------------------------

    /** Host ports of the containers and of sidecars (init containers that keep running), as kube's NodePorts. */
    private static List<NodePorts.HostPort> hostPorts(PodSpec spec) {
        List<NodePorts.HostPort> out = new ArrayList<>();
        List<Container> running = new ArrayList<>(list(spec.getContainers()));
        for (Container c : list(spec.getInitContainers())) {
            if ("Always".equals(c.getRestartPolicy())) {
                running.add(c);
            }
        }
        for (Container c : running) {
            for (ContainerPort p : list(c.getPorts())) {
                if (p.getHostPort() == null || p.getHostPort() <= 0) {
                    continue;
                }
                String protocol = p.getProtocol() == null || p.getProtocol().isEmpty() ? "TCP" : p.getProtocol();
                String ip = p.getHostIP() == null || p.getHostIP().isEmpty() ? NodePorts.ANY_IP : p.getHostIP();
                try {
                    out.add(new NodePorts.HostPort(protocol, ip, p.getHostPort()));
                } catch (IllegalArgumentException e) {
                    throw new InvalidPodException("container " + c.getName() + ": " + e.getMessage());
                }
            }
        }
        return out;
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }
}
