package dev.moat.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Severity;
import dev.moat.core.SourceLocation;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class ExemptionTest {

    private static final SourceLocation AT = new SourceLocation(".moat.yaml", 2, 5);

    private static Exemption exemption(String rule, String namespace, String kind, String name) {
        return new Exemption(rule, namespace, kind, name, "reason", null, AT);
    }

    private static Finding finding(String ruleId, String kind, String namespace, String name) {
        return new Finding(ruleId, Severity.HIGH, "runtime", new ObjectRef(kind, namespace, name),
                new SourceLocation("app.yaml", 1, 1), "message", "", "", null);
    }

    @Test
    void unsetFieldsAndStarMatchEverything() {
        assertThat(exemption("*", null, null, null).matches(finding("MOAT-RUN-001", "Pod", "ml", "p"))).isTrue();
        assertThat(exemption("*", "*", "*", "*").matches(finding("MOAT-SUP-002", "ClusterRole", "", "r"))).isTrue();
    }

    @Test
    void plainPatternsMatchExactly() {
        Exemption e = exemption("MOAT-RUN-001", "ml", "Deployment", "web");

        assertThat(e.matches(finding("MOAT-RUN-001", "Deployment", "ml", "web"))).isTrue();
        assertThat(e.matches(finding("MOAT-RUN-002", "Deployment", "ml", "web"))).isFalse();
        assertThat(e.matches(finding("MOAT-RUN-001", "Deployment", "ml", "web-2"))).isFalse();
        assertThat(e.matches(finding("MOAT-RUN-001", "deployment", "ml", "web"))).isFalse();
        assertThat(e.matches(finding("MOAT-RUN-001", "Deployment", "", "web"))).isFalse();
    }

    @Test
    void starsMatchAnyRunOfCharactersAndNothingElseIsSpecial() {
        assertThat(exemption(null, "gpu-*", null, null).matches(finding("X", "Pod", "gpu-a100", "p"))).isTrue();
        assertThat(exemption(null, "gpu-*", null, null).matches(finding("X", "Pod", "gpu-", "p"))).isTrue();
        assertThat(exemption(null, "gpu-*", null, null).matches(finding("X", "Pod", "ml-gpu-a", "p"))).isFalse();
        assertThat(exemption(null, null, null, "*-debug").matches(finding("X", "Pod", "ml", "vllm-debug"))).isTrue();
        assertThat(exemption(null, null, null, "vllm-*-0").matches(finding("X", "Pod", "ml", "vllm-head-0"))).isTrue();
        assertThat(exemption(null, null, null, "vllm-*-0").matches(finding("X", "Pod", "ml", "vllm-head-1"))).isFalse();
        assertThat(exemption(null, null, null, "a.b*").matches(finding("X", "Pod", "ml", "axb-1"))).isFalse();
        assertThat(exemption(null, null, null, "a.b*").matches(finding("X", "Pod", "ml", "a.b-1"))).isTrue();
        assertThat(exemption(null, null, null, "(x)*").matches(finding("X", "Pod", "ml", "(x)y"))).isTrue();
    }

    @Test
    void expiresTheDayAfterItsDate() {
        Exemption e = new Exemption("*", null, null, null, "reason", LocalDate.of(2027, 1, 31), AT);

        assertThat(e.expiredOn(LocalDate.of(2027, 1, 30))).isFalse();
        assertThat(e.expiredOn(LocalDate.of(2027, 1, 31))).isFalse();
        assertThat(e.expiredOn(LocalDate.of(2027, 2, 1))).isTrue();
        assertThat(exemption("*", null, null, null).expiredOn(LocalDate.of(2999, 1, 1))).isFalse();
    }

    @Test
    void aBlankReasonIsNoReason() {
        assertThat(new Exemption("*", null, null, null, " ", null, AT).hasReason()).isFalse();
        assertThat(new Exemption("*", null, null, null, null, null, AT).hasReason()).isFalse();
        assertThat(exemption("*", null, null, null).hasReason()).isTrue();
    }
}
