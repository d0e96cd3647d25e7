package io.gantry.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PciBusIdsTest {

    @Test
    void nvmlFormBecomesTheSysfsForm() {
        assertThat(PciBusIds.toSysfs("00000000:3B:00.0")).isEqualTo("0000:3b:00.0");
        assertThat(PciBusIds.toSysfs("0000:3B:00.0")).isEqualTo("0000:3b:00.0");
        // A non-zero upper domain is kept rather than silently cut.
        assertThat(PciBusIds.toSysfs("00010000:3B:00.0")).isEqualTo("00010000:3b:00.0");
        assertThat(PciBusIds.toSysfs(" N/A ")).isEqualTo("n/a");
    }

    @Test
    void sameDeviceWhateverTheDomainWidthAndCase() {
        assertThat(PciBusIds.same("00000000:3B:00.0", "0000:3b:00.0")).isTrue();
        assertThat(PciBusIds.same("00000000:3B:00.0", "00000000:3C:00.0")).isFalse();
        assertThat(PciBusIds.same("", "")).as("an unknown bus id matches nothing").isFalse();
    }
}
