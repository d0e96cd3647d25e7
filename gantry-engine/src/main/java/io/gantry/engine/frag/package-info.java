/**
 * GPU fragmentation as the FGD paper defines it: a target workload (the pod types a cluster expects) and, per node,
 * the GPU capacity that those types cannot use.
 */
package io.gantry.engine.frag;
