package dev.moat.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.Redaction;
import org.junit.jupiter.api.Test;

class RedactionTest {

    @Test
    void nothingToRedact() {
        assertThat(Redaction.redact(null)).isEmpty();
        assertThat(Redaction.redact("")).isEmpty();
    }

    @Test
    void shortSecretsShowOnlyTheirLength() {
        assertThat(Redaction.redact("hunter2")).isEqualTo("****(7 chars)");
        assertThat(Redaction.redact("fifteen-chars!!")).isEqualTo("****(15 chars)");
    }

    @Test
    void longSecretsShowTheirFirstFourCharacters() {
        String secret = "abcd" + "efghijklmnopqrstuvwxyz0123456789";

        String redacted = Redaction.redact(secret);

        assertThat(redacted).isEqualTo("abcd****(36 chars)");
        assertThat(redacted).doesNotContain(secret.substring(4, 8));
        assertThat(Redaction.redact("sixteen-chars-ok")).isEqualTo("sixt****(16 chars)");
    }
}
