/**
 * The scheduling cycle's extension points (filter, score, GPU selection, reserve) and the plugins Gantry ships:
 * one class per policy.
 */
package io.gantry.engine.plugins;
