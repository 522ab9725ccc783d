package dev.prsentinel.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutoencoderSettingsTest {

    @Test
    void theDefaultsTrainTheWiderBottleneckFromTenThousandRows() {
        AutoencoderTrainer.Settings s = AutoencoderTrainer.Settings.defaults(42);
        assertThat(s.hidden()).isNull();
        assertThat(s.hiddenFor(10_000)).containsExactly(16, 8, 16).isEqualTo(AutoencoderTrainer.HIDDEN);
        assertThat(s.hiddenFor(223_886)).isEqualTo(AutoencoderTrainer.HIDDEN);
        assertThat(s.hiddenFor(9_999)).containsExactly(16, 4, 16).isEqualTo(AutoencoderTrainer.HIDDEN_FEW_ROWS);
        assertThat(s.hiddenFor(1_600)).isEqualTo(AutoencoderTrainer.HIDDEN_FEW_ROWS);
        assertThat(s.layers(48, 10_000)).isEqualTo("48-16-8-16-48");
        assertThat(s.layers(48, 1_600)).isEqualTo("48-16-4-16-48");
        assertThat(s.autoencoderOnly().hiddenFor(1_600)).isEqualTo(AutoencoderTrainer.HIDDEN_FEW_ROWS);
    }

    @Test
    void widthsAskedForHoldAtAnySizeAndChangeNothingElse() {
        AutoencoderTrainer.Settings s = AutoencoderTrainer.Settings.defaults(7);
        AutoencoderTrainer.Settings wide = s.withHidden(List.of(16, 8, 16));
        assertThat(wide.hiddenFor(1_600)).containsExactly(16, 8, 16);
        assertThat(wide.autoencoderOnly().hiddenFor(1_600)).containsExactly(16, 8, 16);
        assertThat(wide.layers(48, 1_600)).isEqualTo("48-16-8-16-48");
        assertThat(wide.withHidden(null)).isEqualTo(s);
    }

    @Test
    void theWidthsAreCopiedAndMustBePositive() {
        List<Integer> widths = new ArrayList<>(List.of(16, 8, 16));
        AutoencoderTrainer.Settings s = AutoencoderTrainer.Settings.defaults(42).withHidden(widths);
        widths.set(1, 2);
        assertThat(s.hidden()).containsExactly(16, 8, 16);
        assertThatThrownBy(() -> s.withHidden(List.of(16, 0, 16))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[16, 0, 16]");
        assertThatThrownBy(() -> s.withHidden(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
