package io.gantry.kube.config;

import io.gantry.engine.Policy;
import io.gantry.engine.ScoringMode;
import io.gantry.engine.tenancy.Tenancy;
import java.time.Duration;
import java.util.List;
import tools.jackson.databind.annotation.JsonDeserialize;

/**
 * The configuration file as written, bound by Jackson: every key optional (null: the default). Values that can be
 * checked alone are checked while binding, by the deserializers in {@link ConfigValues}, so an error names the key,
 * the line and the column; {@link SchedulerConfig#parse} applies the defaults and the checks across keys.
 */
record ConfigFile(
        @JsonDeserialize(using = ConfigValues.SchedulerName.class) String schedulerName,
        @JsonDeserialize(using = ConfigValues.PolicyName.class) Policy policy,
        @JsonDeserialize(using = ConfigValues.Scoring.class) ScoringMode scoring,
        @JsonDeserialize(contentUsing = ConfigValues.NamespaceName.class) List<String> namespaces,
        Server server,
        LeaderElection leaderElection,
        Binding binding,
        Backoff backoff,
        @JsonDeserialize(using = ConfigValues.Admission.class) Tenancy.Mode admission) {

    record Server(@JsonDeserialize(using = ConfigValues.Port.class) Integer port) {
    }

    record LeaderElection(
            Boolean enabled,
            String leaseName,
            String leaseNamespace,
            @JsonDeserialize(using = ConfigValues.GoDuration.class) Duration leaseDuration,
            @JsonDeserialize(using = ConfigValues.GoDuration.class) Duration renewDeadline,
            @JsonDeserialize(using = ConfigValues.GoDuration.class) Duration retryPeriod) {
    }

    record Binding(@JsonDeserialize(using = ConfigValues.Workers.class) Integer workers) {
    }

    record Backoff(
            @JsonDeserialize(using = ConfigValues.GoDuration.class) Duration initial,
            @JsonDeserialize(using = ConfigValues.GoDuration.class) Duration max) {
    }
}
