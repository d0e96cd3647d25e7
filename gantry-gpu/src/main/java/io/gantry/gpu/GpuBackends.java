package io.gantry.gpu;

import static java.util.Objects.requireNonNull;

import io.gantry.gpu.fake.FakeGpuBackend;
import io.gantry.gpu.nvml.JnaNvml;
import io.gantry.gpu.nvml.NvmlBackend;
import io.gantry.gpu.smi.NvidiaSmiBackend;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the GPU backend a node agent asked for. */
public final class GpuBackends {

    private static final Logger LOG = LoggerFactory.getLogger(GpuBackends.class);

    private GpuBackends() {
    }

    /**
     * Opens {@code kind}. {@link BackendKind#AUTO} tries NVML, then nvidia-smi. A backend that opens but finds no
     * GPU is returned as it is: whether that is an error is the caller's decision.
     *
     * @throws GpuDiscoveryException when the backend (for AUTO: both) cannot be opened, saying why and what to do
     */
    public static GpuBackend open(BackendKind kind, BackendOptions options) {
        requireNonNull(options, "options");
        return open(kind, options, List.of(JnaNvml.SONAME, options.nvmlLibrary()));
    }

    /** As {@link #open(BackendKind, BackendOptions)}, with the NVML library names to try given (tests). */
    static GpuBackend open(BackendKind kind, BackendOptions options, List<String> nvmlLibraries) {
        requireNonNull(kind, "kind");
        requireNonNull(options, "options");
        return switch (kind) {
            case NVML -> NvmlBackend.openLibraries(nvmlLibraries);
            case NVIDIA_SMI -> NvidiaSmiBackend.open(options.nvidiaSmi());
            case FAKE -> {
                if (options.inventory() == null) {
                    throw new GpuDiscoveryException("--backend fake needs --inventory FILE");
                }
                yield FakeGpuBackend.load(options.inventory());
            }
            case AUTO -> auto(options, nvmlLibraries);
        };
    }

    private static GpuBackend auto(BackendOptions options, List<String> nvmlLibraries) {
        String nvmlWhy;
        try {
            return NvmlBackend.openLibraries(nvmlLibraries);
        } catch (GpuDiscoveryException e) {
            nvmlWhy = e.getMessage();
            LOG.info("NVML backend unavailable, trying nvidia-smi: {}", nvmlWhy);
        } catch (RuntimeException | LinkageError e) {
            // e.g. a symbol an old driver lacks: NVML is unusable here, nvidia-smi may still work.
            nvmlWhy = e.toString();
            LOG.info("NVML backend unavailable, trying nvidia-smi: {}", nvmlWhy);
        }
        try {
            return NvidiaSmiBackend.open(options.nvidiaSmi());
        } catch (GpuDiscoveryException e) {
            throw new GpuDiscoveryException("no GPU found: nvml: " + nvmlWhy + "; nvidia-smi: " + e.getMessage()
                    + ". Install the NVIDIA driver, or run with --backend fake --inventory FILE for a node without GPUs",
                    e);
        }
    }
}
