package dev.moat.audit.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {

    private static final String HEX = "0123456789abcdef".repeat(4);

    @Test
    void splitsRepositoryTagAndDigest() {
        assertThat(ImageReference.parse("ghcr.io/acme/server:1.2@sha256:" + HEX))
                .isEqualTo(new ImageReference("ghcr.io/acme/server", "1.2", "sha256:" + HEX));
        assertThat(ImageReference.parse("server")).isEqualTo(new ImageReference("server", null, null));
        assertThat(ImageReference.parse(" server:2 ")).isEqualTo(new ImageReference("server", "2", null));
    }

    @Test
    void aColonBeforeTheLastSlashIsARegistryPort() {
        assertThat(ImageReference.parse("registry:5000/repo")).isEqualTo(new ImageReference("registry:5000/repo", null, null));
        assertThat(ImageReference.parse("registry:5000/repo:v1")).isEqualTo(new ImageReference("registry:5000/repo", "v1", null));
    }

    @Test
    void onlyAWellFormedDigestPins() {
        assertThat(ImageReference.parse("repo@sha256:" + HEX).pinnedByDigest()).isTrue();
        assertThat(ImageReference.parse("repo@sha512:" + HEX + HEX).pinnedByDigest()).isTrue();
        assertThat(ImageReference.parse("repo@sha256:" + HEX.substring(1)).pinnedByDigest()).isFalse();
        assertThat(ImageReference.parse("repo@sha256:" + HEX.toUpperCase(java.util.Locale.ROOT)).pinnedByDigest()).isFalse();
        assertThat(ImageReference.parse("repo:1.0").pinnedByDigest()).isFalse();
    }
}
