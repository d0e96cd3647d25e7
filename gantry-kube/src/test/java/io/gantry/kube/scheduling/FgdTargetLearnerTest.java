package io.gantry.kube.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.engine.PodRequest;
import io.gantry.engine.Policy;
import io.gantry.engine.ScoringMode;
import io.gantry.engine.plugins.BindPlugin;
import org.junit.jupiter.api.Test;

class FgdTargetLearnerTest {

    private static final long DUE = FgdTargetLearner.REFRESH_NANOS + 1;

    @Test
    void theTargetIsReLearntOnlyWhenDueAndOnlyAChangedMixCounts() {
        FgdTargetLearner learner = new FgdTargetLearner(0);
        int defaultTypes = learner.target().types().size();
        for (int i = 0; i < 30; i++) {
            learner.observe(PodRequest.of("ns/q" + i, 2000, 8192, 1, 250));
        }
        assertThat(learner.refresh(DUE - 2)).as("not due yet").isFalse();
        assertThat(learner.refresh(DUE)).isTrue();
        assertThat(learner.target().types()).singleElement()
                .satisfies(t -> assertThat(t.gpuMilliPerGpu()).isEqualTo(250));
        assertThat(learner.target().types().size()).isLessThan(defaultTypes);
        learner.observe(PodRequest.of("ns/q-more", 2000, 8192, 1, 250));
        assertThat(learner.refresh(2 * DUE)).as("same mix").isFalse();
    }

    @Test
    void podsWithoutGpusAreNotLearntAndForgottenPodsLeave() {
        FgdTargetLearner learner = new FgdTargetLearner(0);
        var before = learner.target().types();
        learner.observe(PodRequest.of("ns/cpu", 2000, 8192, 0, 0));
        assertThat(learner.refresh(DUE)).isFalse();
        for (int i = 0; i < 30; i++) {
            learner.observe(PodRequest.of("ns/w" + i, 8000, 8192, 2, 1000));
        }
        assertThat(learner.refresh(2 * DUE)).isTrue();
        for (int i = 0; i < 30; i++) {
            learner.unobserve("ns/w" + i);
        }
        assertThat(learner.refresh(3 * DUE)).isTrue();
        assertThat(learner.target().types()).hasSameSizeAs(before);
    }

    @Test
    void onlyFgdsProfileLearns() {
        PolicyProfile bestfit = new PolicyProfile(Policy.BESTFIT, ScoringMode.EXACT, 1, 0, BindPlugin.INSTANT);
        PolicyProfile fgd = new PolicyProfile(Policy.FGD, ScoringMode.EXACT, 1, 0, BindPlugin.INSTANT);
        for (int i = 0; i < 30; i++) {
            bestfit.observe(PodRequest.of("ns/q" + i, 2000, 8192, 1, 250));
            fgd.observe(PodRequest.of("ns/q" + i, 2000, 8192, 1, 250));
        }
        assertThat(bestfit.refresh(DUE)).isFalse();
        assertThat(bestfit.targetTypes()).isZero();
        assertThat(fgd.refresh(DUE)).isTrue();
        assertThat(fgd.targetTypes()).isEqualTo(1);
    }
}
