package io.gantry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Where deploy/ is, and how its files become Kubernetes objects: Helm's own renderer, fabric8's model. */
final class Deploy {

    static final String NAMESPACE = "gantry-system";
    /** The namespace of deploy/manifests/gantry-agent.yaml (the agent needs a "privileged" one). */
    static final String AGENT_NAMESPACE = "gantry-agent";
    static final String RELEASE = "gantry";

    static final String COMPONENT_LABEL = "app.kubernetes.io/component";
    static final String SCHEDULER = "scheduler";
    static final String AGENT = "agent";
    /** The component label of the chart's CustomResourceDefinitions. */
    static final String CRDS = "crds";

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private Deploy() {
    }

    /** The repository's root: the surefire property set in gantry-deploy/pom.xml, else the module's parent. */
    static Path repo() {
        String dir = System.getProperty("gantry.repo.dir");
        Path root = dir != null && !dir.isBlank() ? Paths.get(dir) : Paths.get("").toAbsolutePath().getParent();
        assertThat(root.resolve("deploy")).as("deploy/ under the repository root %s", root).isDirectory();
        return root.toAbsolutePath().normalize();
    }

    static Path path(String relative) {
        return repo().resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path chart() {
        return path("deploy/helm/gantry");
    }

    static Helm helm() {
        return new Helm(chart());
    }

    /** {@code helm template <release> deploy/helm/gantry --namespace <ns> --set k=v ...}. */
    static String render(String release, String namespace, Object... keyValues) {
        TemplateCommand t = helm().template().withName(release).withNamespace(namespace);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            t = t.set((String) keyValues[i], keyValues[i + 1]);
        }
        return t.call();
    }

    static List<HasMetadata> renderObjects(Object... keyValues) {
        return parse(render(RELEASE, NAMESPACE, keyValues));
    }

    /** {@code helm template <release> deploy/helm/gantry --namespace <ns> -f <values>}, values given as YAML. */
    static List<HasMetadata> renderWithValues(String release, String namespace, String valuesYaml) {
        try {
            Path values = Files.createTempFile("gantry-values-", ".yaml");
            try {
                Files.writeString(values, valuesYaml);
                return parse(helm().template().withName(release).withNamespace(namespace).withValuesFile(values)
                        .call());
            } finally {
                Files.deleteIfExists(values);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The objects of one component of the chart (label app.kubernetes.io/component: scheduler or agent). */
    static List<HasMetadata> component(List<HasMetadata> objects, String component) {
        return objects.stream().filter(o -> o.getMetadata().getLabels() != null
                && component.equals(o.getMetadata().getLabels().get(COMPONENT_LABEL))).toList();
    }

    /**
     * Parses a (multi-document) manifest into fabric8 objects, and fails on any field the Kubernetes model does not
     * know (a misspelt key would otherwise be kept silently and ignored by the API server).
     */
    static List<HasMetadata> parse(String yaml) {
        List<HasMetadata> out = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
                continue;
            }
            Object o = SERIALIZATION.unmarshal(doc);
            if (o instanceof KubernetesList list) {
                out.addAll(list.getItems());
            } else {
                assertThat(o).as("document is a Kubernetes object:%n%s", doc).isInstanceOf(HasMetadata.class);
                out.add((HasMetadata) o);
            }
        }
        for (HasMetadata o : out) {
            if (o instanceof GenericKubernetesResource) {
                // a custom resource: fabric8 has no model of it; CustomResourceSchema checks it against its CRD
                continue;
            }
            List<String> unknown = new ArrayList<>();
            unknownFields(o, o.getKind(), unknown);
            assertThat(unknown).as("fields unknown to the Kubernetes model in %s %s", o.getKind(),
                    o.getMetadata().getName()).isEmpty();
        }
        return out;
    }

    static List<HasMetadata> parseFile(String relative) {
        return parse(read(relative));
    }

    static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
        List<T> found = all(objects, type);
        assertThat(found).as("exactly one %s", type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    static List<String> kinds(List<HasMetadata> objects) {
        return objects.stream().map(HasMetadata::getKind).sorted().toList();
    }

    static <T> T copy(T object) {
        return SERIALIZATION.clone(object);
    }

    /** Walks a fabric8 model tree and collects every non-empty {@code additionalProperties} with its path. */
    private static void unknownFields(Object node, String path, List<String> out) {
        if (node == null) {
            return;
        }
        if (node instanceof Collection<?> c) {
            int i = 0;
            for (Object item : c) {
                unknownFields(item, path + "[" + i++ + "]", out);
            }
            return;
        }
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, path + "." + k, out));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    out.add(path + ": " + extra.keySet());
                }
            } else {
                unknownFields(value, path + "." + getter.getName().substring(3), out);
            }
        }
    }
}
