package io.gantry.kube.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.engine.Policy;
import io.gantry.engine.ScoringMode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SchedulerConfigTest {

    @Test
    void defaultsAreFgdExactAllNamespacesWithLeaderElection() {
        SchedulerConfig c = SchedulerConfig.defaults();
        assertThat(c.schedulerName()).isEqualTo("gantry");
        assertThat(c.policy()).isEqualTo(Policy.FGD);
        assertThat(c.scoring()).isEqualTo(ScoringMode.EXACT);
        assertThat(c.namespaces()).isEmpty();
        assertThat(c.serverPort()).isEqualTo(8080);
        assertThat(c.leaderElection().enabled()).isTrue();
        assertThat(c.leaderElection().leaseName()).isEqualTo("gantry-scheduler");
        assertThat(c.leaderElection().leaseDuration()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.bindingWorkers()).isEqualTo(16);
    }

    @Test
    void everyKeyIsRead() {
        SchedulerConfig c = SchedulerConfig.parse("""
                schedulerName: gpu-sched
                policy: bestfit
                scoring: paper
                namespaces: [team-a, team-b]
                server: {port: 9090}
                leaderElection:
                  enabled: false
                  leaseName: my-lease
                  leaseNamespace: kube-system
                  leaseDuration: 20s
                  renewDeadline: 1500ms
                  retryPeriod: 500ms
                binding: {workers: 4}
                backoff: {initial: 200ms, max: 1m}
                """, "config.yaml");
        assertThat(c.schedulerName()).isEqualTo("gpu-sched");
        assertThat(c.policy()).isEqualTo(Policy.BESTFIT);
        assertThat(c.scoring()).isEqualTo(ScoringMode.PAPER);
        assertThat(c.namespaces()).containsExactly("team-a", "team-b");
        assertThat(c.serverPort()).isEqualTo(9090);
        assertThat(c.leaderElection()).isEqualTo(new SchedulerConfig.LeaderElection(false, "my-lease", "kube-system",
                Duration.ofSeconds(20), Duration.ofMillis(1500), Duration.ofMillis(500)));
        assertThat(c.bindingWorkers()).isEqualTo(4);
        assertThat(c.backoffInitial()).isEqualTo(Duration.ofMillis(200));
        assertThat(c.backoffMax()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void anUnknownKeyIsNamedWithItsPath() {
        assertThatThrownBy(() -> SchedulerConfig.parse("leaderElection:\n  leaseDurationn: 15s\n", "cm.yaml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cm.yaml").hasMessageContaining("unknown key 'leaderElection.leaseDurationn'")
                .hasMessageContaining("leaseDuration");
        assertThatThrownBy(() -> SchedulerConfig.parse("polcy: fgd\n", "cm.yaml"))
                .hasMessageContaining("unknown key 'polcy'");
    }

    @Test
    void badValuesNameTheKeyAndWhatIsAccepted() {
        assertThatThrownBy(() -> SchedulerConfig.parse("policy: tetris\n", "c"))
                .hasMessageContaining("key 'policy'").hasMessageContaining("'tetris'").hasMessageContaining("fgd");
        assertThatThrownBy(() -> SchedulerConfig.parse("server: {port: 70000}\n", "c"))
                .hasMessageContaining("key 'server.port'").hasMessageContaining("0 to 65535");
        assertThatThrownBy(() -> SchedulerConfig.parse("leaderElection: {leaseDuration: 15x}\n", "c"))
                .hasMessageContaining("key 'leaderElection.leaseDuration'").hasMessageContaining("15x");
        assertThatThrownBy(() -> SchedulerConfig.parse("leaderElection: {renewDeadline: 20s}\n", "c"))
                .hasMessageContaining("leaderElection.renewDeadline").hasMessageContaining("less than");
        assertThatThrownBy(() -> SchedulerConfig.parse("scoring: fuzzy\n", "c")).hasMessageContaining("'scoring'");
        assertThatThrownBy(() -> SchedulerConfig.parse("namespaces: team-a\n", "c"))
                .hasMessageContaining("'namespaces'").hasMessageContaining("list");
        assertThatThrownBy(() -> SchedulerConfig.parse("server: 8080\n", "c"))
                .hasMessageContaining("'server' must be a mapping");
        assertThatThrownBy(() -> SchedulerConfig.parse("leaderElection: {enabled: maybe}\n", "c"))
                .hasMessageContaining("leaderElection.enabled").hasMessageContaining("true or false");
        assertThatThrownBy(() -> SchedulerConfig.parse("schedulerName: Gantry_Sched\n", "c"))
                .hasMessageContaining("schedulerName");
        assertThatThrownBy(() -> SchedulerConfig.parse("policy: [fgd\n", "c"))
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void durationsFollowGoSyntax() {
        assertThat(SchedulerConfig.parseDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(SchedulerConfig.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(SchedulerConfig.parseDuration("15")).isNull();
        assertThat(SchedulerConfig.parseDuration("s")).isNull();
    }

    @Test
    void errorsGiveTheLineAndColumnOfTheBadKeyOrValue() {
        assertThatThrownBy(() -> SchedulerConfig.parse("policy: fgd\nleaderElection:\n  enabled: true\n"
                + "  leaseDurationn: 15s\n", "cm.yaml"))
                .hasMessage("cm.yaml, line 4, column 3: unknown key 'leaderElection.leaseDurationn'; known keys under "
                        + "'leaderElection': enabled, leaseDuration, leaseName, leaseNamespace, renewDeadline, "
                        + "retryPeriod");
        assertThatThrownBy(() -> SchedulerConfig.parse("polcy: fgd\n", "cm.yaml"))
                .hasMessage("cm.yaml, line 1, column 1: unknown key 'polcy'; known keys: admission, backoff, binding, "
                        + "leaderElection, namespaces, policy, schedulerName, scoring, server");
        assertThatThrownBy(() -> SchedulerConfig.parse("scoring: exact\nserver:\n  port: 70000\n", "c"))
                .hasMessage("c, line 3, column 9: key 'server.port': '70000' is not valid; expected an integer from 0 "
                        + "to 65535");
        assertThatThrownBy(() -> SchedulerConfig.parse("namespaces: [team-a, \"\"]\n", "c"))
                .hasMessageStartingWith("c, line 1, column 22: key 'namespaces[1]': '' is not valid");
        assertThatThrownBy(() -> SchedulerConfig.parse("backoff: {initial: 2s, max: 1s}\n", "c"))
                .hasMessage("c: key 'backoff.max': '1s' is not valid; expected at least backoff.initial (2s)");
        assertThatThrownBy(() -> SchedulerConfig.parse("- a\n- b\n", "c"))
                .hasMessage("c: the document must be a mapping of keys to values, got array");
    }

    @Test
    void admissionIsGantryByDefaultAndNamesTheThreePolicies() {
        assertThat(SchedulerConfig.defaults().admission()).isEqualTo(io.gantry.engine.tenancy.Tenancy.Mode.FULL);
        assertThat(SchedulerConfig.parse("admission: quota\n", "c").admission())
                .isEqualTo(io.gantry.engine.tenancy.Tenancy.Mode.QUOTA);
        assertThat(SchedulerConfig.parse("admission: fifo\n", "c").admission())
                .isEqualTo(io.gantry.engine.tenancy.Tenancy.Mode.FIFO);
        assertThatThrownBy(() -> SchedulerConfig.parse("admission: kueue\n", "c"))
                .hasMessage("c, line 1, column 12: key 'admission': 'kueue' is not valid; expected gantry, quota or"
                        + " fifo (backfill is the simulator's only, for now)");
        assertThatThrownBy(() -> SchedulerConfig.parse("admission: backfill\n", "c"))
                .hasMessageContaining("'backfill' is not valid");
    }

    @Test
    void theValidPoliciesAreTheEnginesPolicies() {
        String expected = String.join(", ", io.gantry.engine.PolicyRegistry.STANDARD.names());
        assertThatThrownBy(() -> SchedulerConfig.parse("policy: tetris\n", "c"))
                .hasMessage("c, line 1, column 9: key 'policy': 'tetris' is not valid; expected one of " + expected);
        for (Policy p : io.gantry.engine.PolicyRegistry.STANDARD.policies()) {
            assertThat(SchedulerConfig.parse("policy: " + p.name() + "\n", "c").policy()).isEqualTo(p);
        }
    }

    @Test
    void emptyAndCommentOnlyDocumentsAreTheDefaults() {
        assertThat(SchedulerConfig.parse("", "c")).isEqualTo(SchedulerConfig.defaults());
        assertThat(SchedulerConfig.parse("# nothing set\n", "c")).isEqualTo(SchedulerConfig.defaults());
        assertThat(SchedulerConfig.parse("server:\n", "c")).isEqualTo(SchedulerConfig.defaults());
    }
}
