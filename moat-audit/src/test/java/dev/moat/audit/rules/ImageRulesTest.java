package dev.moat.audit.rules;

import static dev.moat.audit.Fixtures.assertFinding;
import static dev.moat.audit.Manifests.at;
import static dev.moat.audit.Manifests.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.audit.Fixtures;
import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** MOAT-SUP-001 (not pinned by digest) and MOAT-SUP-002 (:latest or untagged), which read the same field. */
class ImageRulesTest {

    private static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);

    private final ImageNotPinned notPinned = new ImageNotPinned();
    private final MutableTag mutableTag = new MutableTag();

    private static String deployment(String image) {
        return Fixtures.deployment("web").namespace("ml").container("app", "\"" + image + "\"").yaml();
    }

    @Test
    void latestTagIsReportedByBothRules() {
        String yaml = deployment("ghcr.io/acme/server:latest");

        assertThat(run(notPinned, yaml)).singleElement().satisfies(f -> {
            assertFinding(f, "MOAT-SUP-001", Severity.MEDIUM,
                    new ObjectRef("Deployment", "ml", "web"), "11:11",
                    "container 'app': image 'ghcr.io/acme/server:latest' is not pinned by digest",
                    "image: ghcr.io/acme/server:latest");
            assertThat(f.category()).isEqualTo("supply-chain");
        });
        assertThat(run(mutableTag, yaml)).singleElement().satisfies(f -> assertFinding(f, "MOAT-SUP-002",
                Severity.MEDIUM, "11:11",
                "container 'app': image 'ghcr.io/acme/server:latest' uses :latest",
                "image: ghcr.io/acme/server:latest"));
    }

    @Test
    void untaggedImageMeansLatest() {
        assertThat(run(mutableTag, deployment("vllm/vllm-openai"))).singleElement().satisfies(f -> {
            assertThat(f.message()).isEqualTo("container 'app': image 'vllm/vllm-openai' has no tag (means :latest)");
            assertThat(f.evidence()).isEqualTo("image: vllm/vllm-openai");
        });
    }

    @Test
    void registryPortIsNotATag() {
        String yaml = deployment("registry.local:5000/models/server");

        assertThat(run(mutableTag, yaml)).singleElement().satisfies(f ->
                assertThat(f.message()).endsWith("image 'registry.local:5000/models/server' has no tag (means :latest)"));
        assertThat(run(notPinned, yaml)).hasSize(1);
    }

    /** image, SUP-001 expected, SUP-002 expected. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "repo@DIGEST,                              false, false",
            "repo:1.2.3@DIGEST,                        false, false",
            "registry.local:5000/repo:1.2.3@DIGEST,    false, false",
            "repo:latest@DIGEST,                       false, false",
            "repo:1.2.3,                               true,  false",
            "registry.local:5000/repo:1.2.3,           true,  false",
            "registry.local:5000/repo,                 true,  true",
            "repo:latest,                              true,  true",
            "repo,                                     true,  true",
            "repo@sha256:abc,                          true,  false",
    })
    void imageReferenceForms(String template, boolean sup001, boolean sup002) {
        String yaml = deployment(template.replace("DIGEST", DIGEST));

        assertThat(run(notPinned, yaml)).as("MOAT-SUP-001").hasSize(sup001 ? 1 : 0);
        assertThat(run(mutableTag, yaml)).as("MOAT-SUP-002").hasSize(sup002 ? 1 : 0);
    }

    @Test
    void everyContainerIsCheckedAndAMissingImageIsNotReported() {
        List<Finding> findings = run(mutableTag, """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                spec:
                  initContainers:
                    - name: fetch
                      image: busybox
                  containers:
                    - name: app
                      image: nginx:1.27
                    - name: no-image
                """);

        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.message()).startsWith("init container 'fetch': ");
            assertThat(at(f)).isEqualTo("8:7");
        });
    }
}
