package io.gantry.gpu;

/**
 * A critical error event reported by the driver (an NVIDIA Xid).
 *
 * @param uuid the GPU it happened on, or null when the driver could not attribute it (then every GPU is suspect)
 * @param xid the Xid number, e.g. 79 (GPU has fallen off the bus); 999 for an unknown Xid
 */
public record XidEvent(String uuid, long xid) {
}
