package dev.moat.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Severity;
import java.util.ArrayList;
import java.util.List;

/**
 * Manifest skeletons and assertions that many rule tests share.
 *
 * <p>The builders write the same text a hand-written text block would, two spaces a level, so the
 * {@code line:column} a test expects can be read off the lines the builder emits:
 *
 * <pre>{@code
 * deployment("web").namespace("ml")
 *         .container("app", "nginx:1.27", "securityContext:", "  privileged: true")
 *         .yaml()
 * }</pre>
 *
 * gives
 *
 * <pre>
 *  1 apiVersion: apps/v1
 *  2 kind: Deployment
 *  3 metadata:
 *  4   name: web
 *  5   namespace: ml
 *  6 spec:
 *  7   template:
 *  8     spec:
 *  9       containers:
 * 10         - name: app
 * 11           image: nginx:1.27
 * 12           securityContext:
 * 13             privileged: true
 * </pre>
 */
public final class Fixtures {

    /** The serving image most AI-workload fixtures run. */
    public static final String VLLM = "vllm/vllm-openai:v0.6.0";

    /** A Deployment {@code ml/llm} whose one container {@code vllm} limits {@code nvidia.com/gpu: 1}. */
    public static final String GPU_SERVER = deployment("llm").namespace("ml")
            .container("vllm", VLLM, "resources:", "  limits:", "    nvidia.com/gpu: 1")
            .yaml();

    /** A bare Pod {@code plain} in the default namespace running {@code nginx:1.27}. */
    public static final String PLAIN_POD = pod("plain").container("app", "nginx:1.27").yaml();

    private Fixtures() {
    }

    /** An {@code apps/v1} Deployment named {@code name}; its pod spec sits at column 7. */
    public static Workload deployment(String name) {
        return new Workload("apps/v1", "Deployment", name, "spec:\n  template:\n    spec:\n", 6);
    }

    /** A bare {@code v1} Pod named {@code name}; its pod spec sits at column 3. */
    public static Workload pod(String name) {
        return new Workload("v1", "Pod", name, "spec:\n", 2);
    }

    /** Container lines for an {@code env} list with one literal, double-quoted {@code value}. */
    public static String[] literalEnv(String name, String value) {
        return new String[] {"env:", "  - name: " + name, "    value: \"" + value + "\""};
    }

    /**
     * Asserts the headline of a finding: which rule, how severe, on what object, where, and what it says.
     */
    public static void assertFinding(Finding f, String ruleId, Severity severity, ObjectRef object, String at,
            String message, String evidence) {
        assertThat(f.ruleId()).as("rule ID").isEqualTo(ruleId);
        assertThat(f.severity()).as("severity").isEqualTo(severity);
        assertThat(f.object()).as("object").isEqualTo(object);
        assertThat(Manifests.at(f)).as("line:column").isEqualTo(at);
        assertThat(f.message()).as("message").isEqualTo(message);
        assertThat(f.evidence()).as("evidence").isEqualTo(evidence);
    }

    /** As {@link #assertFinding(Finding, String, Severity, ObjectRef, String, String, String)}, object aside. */
    public static void assertFinding(Finding f, String ruleId, Severity severity, String at, String message,
            String evidence) {
        assertThat(f.ruleId()).as("rule ID").isEqualTo(ruleId);
        assertThat(f.severity()).as("severity").isEqualTo(severity);
        assertThat(Manifests.at(f)).as("line:column").isEqualTo(at);
        assertThat(f.message()).as("message").isEqualTo(message);
        assertThat(f.evidence()).as("evidence").isEqualTo(evidence);
    }

    /** A workload manifest, built top to bottom in the order the methods are called per section. */
    public static final class Workload {

        private final String apiVersion;
        private final String kind;
        private final String name;
        private final String specPrefix;
        private final String podIndent;
        private String namespace;
        private final List<String> podSpecHead = new ArrayList<>();
        private final List<String> initContainers = new ArrayList<>();
        private final List<String> containers = new ArrayList<>();
        private final List<String> podSpecTail = new ArrayList<>();

        private Workload(String apiVersion, String kind, String name, String specPrefix, int podIndent) {
            this.apiVersion = apiVersion;
            this.kind = kind;
            this.name = name;
            this.specPrefix = specPrefix;
            this.podIndent = " ".repeat(podIndent);
        }

        /** Adds {@code metadata.namespace}. */
        public Workload namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        /** Pod spec lines (relative to the pod spec) written before the container lists. */
        public Workload podSpec(String... lines) {
            podSpecHead.addAll(List.of(lines));
            return this;
        }

        /** An init container; {@code fields} are lines relative to its {@code image:} key. */
        public Workload initContainer(String name, String image, String... fields) {
            initContainers.addAll(entry(name, image, fields));
            return this;
        }

        /** A container; {@code fields} are lines relative to its {@code image:} key. */
        public Workload container(String name, String image, String... fields) {
            containers.addAll(entry(name, image, fields));
            return this;
        }

        /** Pod spec lines (relative to the pod spec) written after the container lists, such as volumes. */
        public Workload afterContainers(String... lines) {
            podSpecTail.addAll(List.of(lines));
            return this;
        }

        /** The manifest text, ending in a newline. */
        public String yaml() {
            StringBuilder out = new StringBuilder()
                    .append("apiVersion: ").append(apiVersion).append('\n')
                    .append("kind: ").append(kind).append('\n')
                    .append("metadata:\n")
                    .append("  name: ").append(name).append('\n');
            if (namespace != null) {
                out.append("  namespace: ").append(namespace).append('\n');
            }
            out.append(specPrefix);
            podSpecHead.forEach(line -> podLine(out, line));
            if (!initContainers.isEmpty()) {
                podLine(out, "initContainers:");
                initContainers.forEach(line -> podLine(out, line));
            }
            if (!containers.isEmpty()) {
                podLine(out, "containers:");
                containers.forEach(line -> podLine(out, line));
            }
            podSpecTail.forEach(line -> podLine(out, line));
            return out.toString();
        }

        private void podLine(StringBuilder out, String line) {
            out.append(podIndent).append(line).append('\n');
        }

        private static List<String> entry(String name, String image, String... fields) {
            List<String> lines = new ArrayList<>();
            lines.add("  - name: " + name);
            lines.add("    image: " + image);
            for (String field : fields) {
                lines.add("    " + field);
            }
            return lines;
        }
    }
}
