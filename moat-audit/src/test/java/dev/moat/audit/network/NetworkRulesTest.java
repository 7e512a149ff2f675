package dev.moat.audit.network;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.audit.ManifestRule;
import dev.moat.core.Finding;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlLimits;
import dev.moat.kube.Inventory;
import dev.moat.kube.ManifestParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkRulesTest {

    private static final String MODEL_NS = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ml\n";
    private static final String VLLM = "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: vllm\n  namespace: ml\nspec:\n"
            + "  template:\n    metadata:\n      labels: {app: vllm}\n    spec:\n      containers:\n      - name: server\n"
            + "        image: vllm/vllm-openai:v0.6.3\n        ports:\n        - {name: http, containerPort: 8000}\n";
    private static final String GATEWAY_NS = "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: gw\n";
    private static final String GATEWAY = "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: gateway\n  namespace: gw\n"
            + "spec:\n  template:\n    metadata:\n      labels: {app: gateway}\n    spec:\n      containers:\n      - name: envoy\n"
            + "        image: envoyproxy/envoy:v1.31.2\n";
    private static final String DENY_ALL = policy("ml", "deny", "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n");

    private static String policy(String ns, String name, String spec) {
        return "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: " + name + "\n  namespace: " + ns
                + "\nspec:\n" + spec;
    }

    private static List<Finding> run(ManifestRule rule, String yaml) {
        var parsed = new ManifestParser(YamlLimits.DEFAULT, "default").parse("net.yaml", yaml.getBytes(StandardCharsets.UTF_8));
        assertThat(parsed.errors()).isEmpty();
        List<Finding> out = new ArrayList<>();
        rule.check(Inventory.of(parsed.objects()), out::add);
        return out;
    }

    @Test
    void namespaceWithoutDefaultDenyIsReportedHighWhenItRunsAiWorkloads() {
        List<Finding> open = run(new NoDefaultDeny(), MODEL_NS + VLLM + GATEWAY_NS + GATEWAY);
        assertThat(open).extracting(f -> f.object().name()).containsExactlyInAnyOrder("ml", "gw");
        Finding ml = open.stream().filter(f -> f.object().name().equals("ml")).findFirst().orElseThrow();
        assertThat(ml.severity()).isEqualTo(Severity.HIGH);
        assertThat(ml.location().line()).isEqualTo(1);
        assertThat(open.stream().filter(f -> f.object().name().equals("gw")).findFirst().orElseThrow().severity())
                .isEqualTo(Severity.MEDIUM);
        assertThat(run(new NoDefaultDeny(), MODEL_NS + VLLM + DENY_ALL)).isEmpty();
    }

    @Test
    void aiWorkloadOpenToOutsideAndEveryNamespace() {
        assertThat(run(ExposedAiWorkload.fromOutsideTheCluster(), MODEL_NS + VLLM)).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("ml/vllm[Deployment] is reachable from outside the cluster"));
        assertThat(run(ExposedAiWorkload.fromEveryNamespace(), MODEL_NS + VLLM)).hasSize(1);
        String onlyGateway = DENY_ALL + policy("ml", "from-gw", "  podSelector: {matchLabels: {app: vllm}}\n  ingress:\n  - from:\n"
                + "    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: gw}}\n");
        assertThat(run(ExposedAiWorkload.fromOutsideTheCluster(), MODEL_NS + VLLM + GATEWAY_NS + GATEWAY + onlyGateway)).isEmpty();
        assertThat(run(ExposedAiWorkload.fromEveryNamespace(), MODEL_NS + VLLM + GATEWAY_NS + GATEWAY + onlyGateway)).isEmpty();
        String fromInternet = DENY_ALL + policy("ml", "public", "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 0.0.0.0/0}\n");
        assertThat(run(ExposedAiWorkload.fromOutsideTheCluster(), MODEL_NS + VLLM + fromInternet)).hasSize(1);
        assertThat(run(ExposedAiWorkload.fromEveryNamespace(), MODEL_NS + VLLM + fromInternet)).isEmpty();
    }

    @Test
    void nonAiWorkloadsAreNotExposureFindings() {
        assertThat(run(ExposedAiWorkload.fromOutsideTheCluster(), GATEWAY_NS + GATEWAY)).isEmpty();
        assertThat(run(new AiInternetEgress(), GATEWAY_NS + GATEWAY)).isEmpty();
    }

    @Test
    void aiInternetEgressUnlessEgressIsIsolated() {
        assertThat(run(new AiInternetEgress(), MODEL_NS + VLLM)).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("can open connections to the internet"));
        assertThat(run(new AiInternetEgress(), MODEL_NS + VLLM + DENY_ALL)).isEmpty();
        String internalOnly = DENY_ALL + policy("ml", "internal", "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n"
                + "  - to:\n    - ipBlock: {cidr: 10.0.0.0/8}\n");
        assertThat(run(new AiInternetEgress(), MODEL_NS + VLLM + internalOnly)).isEmpty();
    }

    @Test
    void policyThatSelectsNoPodIsMisapplied() {
        String typo = policy("ml", "typo", "  podSelector: {matchLabels: {app: vlm}}\n  ingress: []\n");
        assertThat(run(MisappliedSelectors.policySelectsNothing(), MODEL_NS + VLLM + typo)).singleElement()
                .satisfies(f -> {
                    assertThat(f.message()).contains("podSelector app=vlm matches none of the 1 workload(s) in namespace ml");
                    assertThat(f.location().line()).isEqualTo(28);
                });
        assertThat(run(MisappliedSelectors.policySelectsNothing(), MODEL_NS + VLLM + DENY_ALL)).isEmpty();
    }

    @Test
    void namespaceSelectedByAMissingNameLabelGetsAHint() {
        String byName = DENY_ALL + policy("ml", "from-gw", "  podSelector: {}\n  ingress:\n  - from:\n"
                + "    - namespaceSelector: {matchLabels: {name: gw}}\n");
        assertThat(run(MisappliedSelectors.peerMatchesNothing(), MODEL_NS + VLLM + GATEWAY_NS + GATEWAY + byName)).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("matches no namespace in the inputs")
                        .contains("select it with kubernetes.io/metadata.name: gw"));
        String byMetadataName = byName.replace("{name: gw}", "{kubernetes.io/metadata.name: gw}");
        assertThat(run(MisappliedSelectors.peerMatchesNothing(), MODEL_NS + VLLM + GATEWAY_NS + GATEWAY + byMetadataName)).isEmpty();
        String wrongPod = byMetadataName.replace("{kubernetes.io/metadata.name: gw}}", "{kubernetes.io/metadata.name: gw}}\n"
                + "      podSelector: {matchLabels: {app: gatewey}}");
        assertThat(run(MisappliedSelectors.peerMatchesNothing(), MODEL_NS + VLLM + GATEWAY_NS + GATEWAY + wrongPod)).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("podSelector app=gatewey matches no pod"));
    }

    @Test
    void egressIsolationWithoutDnsIsReported() {
        assertThat(run(new DnsCut(), MODEL_NS + VLLM + DENY_ALL)).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("may not reach the cluster DNS on UDP 53"));
        String dns = policy("ml", "dns", "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to:\n"
                + "    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}\n"
                + "      podSelector: {matchLabels: {k8s-app: kube-dns}}\n    ports:\n    - {protocol: UDP, port: 53}\n");
        assertThat(run(new DnsCut(), MODEL_NS + VLLM + DENY_ALL + dns)).isEmpty();
        assertThat(run(new DnsCut(), MODEL_NS + VLLM)).isEmpty();
    }

    @Test
    void namedPortThatNoSelectedContainerDeclares() {
        String grpc = DENY_ALL + policy("ml", "grpc", "  podSelector: {matchLabels: {app: vllm}}\n  ingress:\n  - ports:\n    - port: grpc\n");
        assertThat(run(new UnmatchedNamedPort(), MODEL_NS + VLLM + grpc)).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("names port 'grpc' (TCP)"));
        assertThat(run(new UnmatchedNamedPort(), MODEL_NS + VLLM + grpc.replace("port: grpc", "port: http"))).isEmpty();
    }
}
