package io.gantry.sim.tenancy;

import static java.util.Objects.requireNonNull;

import io.gantry.engine.tenancy.QueueObjects;
import io.gantry.engine.tenancy.QueueSpec;
import io.gantry.engine.tenancy.QueueTree;
import io.gantry.sim.trace.TraceFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLSchema;

/**
 * Queues for a simulation, from the same YAML a cluster gets: Queue objects ({@code scheduling.gantry.io/v1alpha1})
 * as separate documents or inside a {@code kind: List}. Objects of other kinds (a Namespace in the same example
 * file) are counted and named, not read. The queues are checked as one hierarchy before any run starts.
 */
public final class QueuesFile {

    private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder().yamlSchema(YAMLSchema.CORE)
            .build()).build();

    /** The queues read, and the kinds of the other objects the file holds (kind → count). */
    public record Contents(List<QueueSpec> queues, Map<String, Integer> otherKinds) {
        public Contents {
            queues = List.copyOf(queues);
            otherKinds = Map.copyOf(otherKinds);
        }
    }

    private QueuesFile() {
    }

    public static Contents read(Path file) {
        requireNonNull(file, "file");
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new TraceFormatException(file, 0, "", null, "no such file");
        } catch (IOException e) {
            throw new TraceFormatException(file, 0, "", null, "cannot be read: " + e.getMessage());
        }
        return parse(text, file);
    }

    static Contents parse(String text, Path file) {
        List<QueueSpec> queues = new ArrayList<>();
        Map<String, Integer> others = new TreeMap<>();
        int document = 0;
        try (MappingIterator<Object> docs = YAML.readerFor(Object.class).readValues(text)) {
            while (docs.hasNextValue()) {
                Object doc = docs.nextValue();
                document++;
                if (doc == null) {
                    continue;
                }
                if (!(doc instanceof Map<?, ?> object)) {
                    throw new TraceFormatException(file, 0, "", null, "document " + document
                            + " is not an object; write Queue objects (apiVersion, kind, metadata, spec)");
                }
                if ("List".equals(object.get("kind")) && object.get("items") instanceof List<?> items) {
                    for (int i = 0; i < items.size(); i++) {
                        add(items.get(i), "document " + document + ", item " + i, queues, others, file);
                    }
                } else {
                    add(object, "document " + document, queues, others, file);
                }
            }
        } catch (JacksonException e) {
            long line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new TraceFormatException(file, line, "", null, "is not valid YAML: " + e.getOriginalMessage());
        }
        try {
            QueueTree.of(queues);
        } catch (QueueObjects.InvalidQueueException e) {
            throw new TraceFormatException(file, 0, "", null, e.getMessage());
        }
        return new Contents(queues, others);
    }

    private static void add(Object raw, String where, List<QueueSpec> queues, Map<String, Integer> others, Path file) {
        if (!(raw instanceof Map<?, ?> object)) {
            throw new TraceFormatException(file, 0, "", null, where + " is not an object");
        }
        if (!QueueObjects.KIND.equals(object.get("kind"))) {
            others.merge(String.valueOf(object.get("kind")), 1, Integer::sum);
            return;
        }
        try {
            queues.add(QueueObjects.parse(object, where));
        } catch (QueueObjects.InvalidQueueException e) {
            throw new TraceFormatException(file, 0, "", null, e.getMessage());
        }
    }
}
