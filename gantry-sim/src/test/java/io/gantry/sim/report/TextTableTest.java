package io.gantry.sim.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextTableTest {

    @Test
    void alignsColumns() {
        String s = new TextTable("policy", "alloc130").row("fgd", 95.29).row("bestfit", 93.1).toString();
        assertThat(s).isEqualTo(
                "policy   alloc130\n"
                + "-----------------\n"
                + "fgd         95.29\n"
                + "bestfit      93.1\n");
    }
}
