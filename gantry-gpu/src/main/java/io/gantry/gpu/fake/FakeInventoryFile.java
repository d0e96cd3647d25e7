package io.gantry.gpu.fake;

import static java.util.Objects.requireNonNull;

import io.gantry.gpu.GpuInventory;
import java.util.List;

/**
 * One successful read of a fake inventory file: the inventory and each GPU's state, in inventory order.
 */
record FakeInventoryFile(GpuInventory inventory, List<FakeGpuState> states) {

    FakeInventoryFile {
        requireNonNull(inventory, "inventory");
        states = List.copyOf(states);
        if (states.size() != inventory.devices().size()) {
            throw new IllegalArgumentException(states.size() + " states for " + inventory.devices().size() + " GPUs");
        }
    }
}
