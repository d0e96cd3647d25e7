package io.gantry.gpu.nvml;

import io.gantry.gpu.GpuDiscoveryException;
import io.gantry.gpu.GpuEventSource;
import io.gantry.gpu.XidEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Xid events from an NVML event set. The wait blocks in native code and cannot be interrupted, so {@link #close}
 * waits for a running {@link #await} to return (at most its timeout) before freeing the set.
 */
final class NvmlEventSource implements GpuEventSource {

    /** Xid, double- and single-bit ECC, as NVIDIA's device plugin watches. */
    static final long WATCHED = Nvml.EVENT_XID_CRITICAL | Nvml.EVENT_DOUBLE_BIT_ECC | Nvml.EVENT_SINGLE_BIT_ECC;

    private static final Logger LOG = LoggerFactory.getLogger(NvmlEventSource.class);

    private final Nvml nvml;
    private final Nvml.EventSet set;
    /** UUID by NVML index. */
    private final List<String> uuids;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean closed;

    private NvmlEventSource(Nvml nvml, Nvml.EventSet set, List<String> uuids) {
        this.nvml = nvml;
        this.set = set;
        this.uuids = uuids;
    }

    /**
     * Creates the set and registers each GPU for the watched events it supports.
     *
     * @param uuids UUID by NVML index, null for a device that is not in the inventory
     */
    static NvmlEventSource open(Nvml nvml, List<String> uuids) {
        Nvml.EventSet set = nvml.createEventSet();
        for (int i = 0; i < uuids.size(); i++) {
            if (uuids.get(i) == null) {
                continue;
            }
            try {
                long mask = WATCHED & nvml.supportedEventTypes(i);
                if (mask == 0) {
                    LOG.info("GPU {} ({}) reports none of the watched error events; its Xids are not watched", i,
                            uuids.get(i));
                    continue;
                }
                nvml.registerEvents(i, mask, set);
            } catch (NvmlException e) {
                if (e.code() == NvmlReturn.NOT_SUPPORTED) {
                    LOG.info("GPU {} ({}) is too old for error events; its Xids are not watched", i, uuids.get(i));
                } else {
                    LOG.warn("cannot watch the error events of GPU {} ({}): {}", i, uuids.get(i), e.getMessage());
                }
            }
        }
        // Copied by hand: List.copyOf rejects the nulls that stand for devices outside the inventory.
        return new NvmlEventSource(nvml, set, Collections.unmodifiableList(new ArrayList<>(uuids)));
    }

    @Override
    public Optional<XidEvent> await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            Nvml.Event event = waitOnce((int) Math.max(0, Math.min(Integer.MAX_VALUE, leftMillis)));
            if (event == null) {
                return Optional.empty();
            }
            if ((event.eventType() & Nvml.EVENT_XID_CRITICAL) != 0) {
                String uuid = event.deviceIndex() >= 0 && event.deviceIndex() < uuids.size()
                        ? uuids.get(event.deviceIndex()) : null;
                return Optional.of(new XidEvent(uuid, event.eventData()));
            }
            // ECC events are registered as NVIDIA does, but only Xids are reported; keep waiting for the rest.
            LOG.debug("NVML event type 0x{} on device {}, not an Xid", Long.toHexString(event.eventType()),
                    event.deviceIndex());
            if (leftMillis <= 0) {
                return Optional.empty();
            }
        }
    }

    /** One native wait; null on NVML's TIMEOUT. */
    private Nvml.Event waitOnce(int timeoutMillis) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the NVML event source is closed");
            }
            return nvml.waitEvent(set, timeoutMillis);
        } catch (NvmlException e) {
            if (e.code() == NvmlReturn.TIMEOUT) {
                return null;
            }
            throw new GpuDiscoveryException("waiting for NVML error events failed (" + e.getMessage()
                    + "); every GPU is suspect", e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                nvml.freeEventSet(set);
            }
        } catch (NvmlException e) {
            LOG.warn("freeing the NVML event set failed: {}", e.getMessage());
        } finally {
            lock.unlock();
        }
    }
}
