/**
 * The scheduling queue of pending pods, shaped like kube-scheduler's PriorityQueue: an active heap ordered by a
 * {@link io.gantry.engine.plugins.QueueSortPlugin}, per-pod exponential backoff, and pods found unschedulable that wait for
 * a cluster change. No threads and no clock of its own: callers pass the time. Used by the simulator and meant for
 * the Kubernetes scheduler alike.
 */
package io.gantry.engine.queue;
