package io.gantry.cli;

import io.gantry.engine.PolicyRegistry;
import java.util.Iterator;

/** The policy names for picocli's help and completion, from the engine's registry. */
final class PolicyNames implements Iterable<String> {

    @Override
    public Iterator<String> iterator() {
        return PolicyRegistry.STANDARD.names().iterator();
    }
}
