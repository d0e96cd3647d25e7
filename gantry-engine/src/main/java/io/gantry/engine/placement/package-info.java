/**
 * Where a pod may go beyond resources: node labels matched by selectors and required affinity, taints and the
 * tolerations that let a pod past them, and cordoned nodes. The same rules as kube-scheduler's NodeAffinity,
 * TaintToleration and NodeUnschedulable plugins, as plain data so the engine needs no Kubernetes library.
 */
package io.gantry.engine.placement;
