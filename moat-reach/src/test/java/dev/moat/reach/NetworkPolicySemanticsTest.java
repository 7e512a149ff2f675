package dev.moat.reach;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.yaml.YamlLimits;
import dev.moat.kube.Inventory;
import dev.moat.kube.ManifestParser;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** NetworkPolicy v1 semantics, one rule of the API at a time, checked through bulk analysis and explanations alike. */
class NetworkPolicySemanticsTest {

    /** Three namespaces (x, y, z) with pods a and b each; a serves http (80) and dns (53/UDP). */
    private static final String CLUSTER = namespace("x", "team: blue") + namespace("y", "team: red") + namespace("z", "")
            + pod("x", "a") + pod("x", "b") + pod("y", "a") + pod("y", "b") + pod("z", "a");

    private static String namespace(String name, String labels) {
        return "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n"
                + (labels.isEmpty() ? "" : "  labels:\n    " + labels + "\n");
    }

    private static String pod(String ns, String name) {
        return "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\n  labels:\n    pod: " + name
                + "\nspec:\n  containers:\n  - name: c\n    image: img\n    ports:\n    - name: http\n      containerPort: 80\n"
                + "    - name: dns\n      containerPort: 53\n      protocol: UDP\n";
    }

    private static Reachability analyse(String policies) {
        String yaml = CLUSTER + policies;
        var parsed = new ManifestParser(YamlLimits.DEFAULT, "default").parse("test.yaml", yaml.getBytes(StandardCharsets.UTF_8));
        assertThat(parsed.errors()).isEmpty();
        Network network = Network.of(Inventory.of(parsed.objects()));
        assertThat(network.errors()).isEmpty();
        return new Reachability(network);
    }

    /** The bulk result for a pair, checked against the direct per-pair evaluation. */
    private static String conn(Reachability r, String src, String dst) {
        Map<String, String> bulk = r.connections().stream()
                .collect(Collectors.toMap(c -> c.source().display() + ">" + c.destination().display(), c -> c.allowed().toString()));
        Endpoint s = r.workloads().stream().filter(w -> w.matches(src)).findFirst().orElseThrow();
        Endpoint d = r.workloads().stream().filter(w -> w.matches(dst)).findFirst().orElseThrow();
        String direct = r.allowed(s, d).toString();
        String listed = bulk.getOrDefault(s.display() + ">" + d.display(), "No Connections");
        assertThat(listed).as("bulk vs direct for " + src + " => " + dst).isEqualTo(direct);
        return listed;
    }

    private static String policy(String ns, String name, String spec) {
        return "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: " + name + "\n  namespace: " + ns
                + "\nspec:\n" + spec;
    }

    @Test
    void withoutPoliciesEverythingIsAllowed() {
        Reachability r = analyse("");
        assertThat(conn(r, "x/a", "y/b")).isEqualTo("All Connections");
        assertThat(r.connections()).noneMatch(c -> c.source().equals(c.destination()));
    }

    @Test
    void omittedPolicyTypesMeansIngressOnlyWhenThereAreNoEgressRules() {
        Reachability r = analyse(policy("x", "p", "  podSelector: {matchLabels: {pod: a}}\n"));
        assertThat(conn(r, "y/a", "x/a")).isEqualTo("No Connections");
        assertThat(conn(r, "x/a", "y/a")).isEqualTo("All Connections");
    }

    @Test
    void omittedPolicyTypesAddsEgressWhenEgressRulesExist() {
        Reachability r = analyse(policy("x", "p", "  podSelector: {matchLabels: {pod: a}}\n  egress:\n  - to:\n"
                + "    - podSelector: {matchLabels: {pod: b}}\n"));
        assertThat(conn(r, "x/a", "y/a")).isEqualTo("No Connections");
        assertThat(conn(r, "x/a", "x/b")).isEqualTo("All Connections");
        assertThat(conn(r, "y/a", "x/a")).isEqualTo("No Connections");
    }

    @Test
    void emptyEgressListIsNotAnEgressPolicyButExplicitTypeDeniesAll() {
        Reachability implicit = analyse(policy("x", "p", "  podSelector: {}\n  egress: []\n  ingress:\n  - {}\n"));
        assertThat(conn(implicit, "x/a", "y/a")).isEqualTo("All Connections");
        Reachability explicit = analyse(policy("x", "p", "  podSelector: {}\n  policyTypes: [Egress]\n  egress: []\n"));
        assertThat(conn(explicit, "x/a", "y/a")).isEqualTo("No Connections");
        assertThat(conn(explicit, "y/a", "x/a")).isEqualTo("All Connections");
    }

    @Test
    void ruleWithoutPeersOrPortsAllowsEverything() {
        Reachability r = analyse(policy("x", "p", "  podSelector: {}\n  ingress:\n  - {}\n"));
        assertThat(conn(r, "z/a", "x/a")).isEqualTo("All Connections");
    }

    @Test
    void podSelectorPeerIsLimitedToThePolicyNamespace() {
        Reachability r = analyse(policy("x", "p", "  podSelector: {matchLabels: {pod: a}}\n  ingress:\n  - from:\n"
                + "    - podSelector: {matchLabels: {pod: b}}\n"));
        assertThat(conn(r, "x/b", "x/a")).isEqualTo("All Connections");
        assertThat(conn(r, "y/b", "x/a")).isEqualTo("No Connections");
    }

    @Test
    void namespaceSelectorAloneSelectsAllPodsThereAndBothTogetherAreAnded() {
        Reachability alone = analyse(policy("x", "p", "  podSelector: {}\n  ingress:\n  - from:\n"
                + "    - namespaceSelector: {matchLabels: {team: red}}\n"));
        assertThat(conn(alone, "y/a", "x/a")).isEqualTo("All Connections");
        assertThat(conn(alone, "y/b", "x/a")).isEqualTo("All Connections");
        assertThat(conn(alone, "z/a", "x/a")).isEqualTo("No Connections");
        Reachability both = analyse(policy("x", "p", "  podSelector: {}\n  ingress:\n  - from:\n"
                + "    - namespaceSelector: {matchLabels: {team: red}}\n      podSelector: {matchLabels: {pod: b}}\n"));
        assertThat(conn(both, "y/b", "x/a")).isEqualTo("All Connections");
        assertThat(conn(both, "y/a", "x/a")).isEqualTo("No Connections");
        Reachability separate = analyse(policy("x", "p", "  podSelector: {}\n  ingress:\n  - from:\n"
                + "    - namespaceSelector: {matchLabels: {team: red}}\n    - podSelector: {matchLabels: {pod: b}}\n"));
        assertThat(conn(separate, "y/a", "x/a")).isEqualTo("All Connections");
        assertThat(conn(separate, "x/b", "x/a")).isEqualTo("All Connections");
        assertThat(conn(separate, "z/a", "x/a")).isEqualTo("No Connections");
    }

    @Test
    void automaticNamespaceNameLabelIsSelectable() {
        Reachability r = analyse(policy("x", "p", "  podSelector: {}\n  ingress:\n  - from:\n"
                + "    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: z}}\n"));
        assertThat(conn(r, "z/a", "x/a")).isEqualTo("All Connections");
        assertThat(conn(r, "y/a", "x/a")).isEqualTo("No Connections");
    }

    @Test
    void matchExpressionsNotInAndDoesNotExist() {
        Reachability notIn = analyse(policy("x", "p", "  podSelector: {}\n  ingress:\n  - from:\n"
                + "    - namespaceSelector:\n        matchExpressions:\n        - {key: team, operator: NotIn, values: [red]}\n"));
        assertThat(conn(notIn, "z/a", "x/a")).as("no team label: NotIn holds").isEqualTo("All Connections");
        assertThat(conn(notIn, "y/a", "x/a")).isEqualTo("No Connections");
        Reachability absent = analyse(policy("x", "p", "  podSelector: {}\n  ingress:\n  - from:\n"
                + "    - namespaceSelector:\n        matchExpressions:\n        - {key: team, operator: DoesNotExist}\n"));
        assertThat(conn(absent, "z/a", "x/a")).isEqualTo("All Connections");
        assertThat(conn(absent, "y/a", "x/a")).isEqualTo("No Connections");
    }

    @Test
    void portsDefaultToTcpAndEndPortMakesARange() {
        Reachability r = analyse(policy("x", "p", "  podSelector: {}\n  ingress:\n  - ports:\n    - port: 8000\n      endPort: 8080\n"
                + "    - protocol: UDP\n    - protocol: SCTP\n      port: 9003\n"));
        assertThat(conn(r, "y/a", "x/a")).isEqualTo("SCTP 9003,TCP 8000-8080,UDP 1-65535");
    }

    @Test
    void namedPortsResolveOnTheDestinationInBothDirections() {
        Reachability ingress = analyse(policy("x", "p", "  podSelector: {}\n  ingress:\n  - ports:\n    - port: http\n"
                + "    - port: dns\n      protocol: UDP\n"));
        assertThat(conn(ingress, "y/a", "x/a")).isEqualTo("TCP 80,UDP 53");
        Reachability egress = analyse(policy("x", "p", "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - ports:\n"
                + "    - port: http\n"));
        assertThat(conn(egress, "x/a", "y/a")).isEqualTo("TCP 80");
    }

    @Test
    void namedPortWithoutMatchAllowsNothingButStillIsolates() {
        Reachability r = analyse(policy("x", "p", "  podSelector: {}\n  ingress:\n  - ports:\n    - port: grpc\n"));
        assertThat(conn(r, "y/a", "x/a")).isEqualTo("No Connections");
        assertThat(r.explain(r.workloads().get(2), r.workloads().get(0)).describe()).contains("no such named port");
    }

    @Test
    void overlappingPoliciesUnionTheirRules() {
        Reachability r = analyse(policy("x", "p1", "  podSelector: {}\n  ingress:\n  - ports:\n    - port: 80\n")
                + policy("x", "p2", "  podSelector: {matchLabels: {pod: a}}\n  ingress:\n  - ports:\n    - port: 443\n"));
        assertThat(conn(r, "y/a", "x/a")).isEqualTo("TCP 80,443");
        assertThat(conn(r, "y/a", "x/b")).isEqualTo("TCP 80");
    }

    @Test
    void connectionNeedsBothEgressAndIngress() {
        Reachability r = analyse(policy("x", "out", "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - ports:\n    - port: 80\n    - port: 443\n")
                + policy("y", "in", "  podSelector: {}\n  ingress:\n  - ports:\n    - port: 443\n    - port: 8443\n"));
        assertThat(conn(r, "x/a", "y/a")).isEqualTo("TCP 443");
    }

    @Test
    void ipBlockExceptSplitsTheExternalSpaceAndNeverMatchesPods() {
        Reachability r = analyse(policy("x", "p", "  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock:\n"
                + "        cidr: 10.0.0.0/8\n        except: [10.1.0.0/16]\n"));
        assertThat(conn(r, "y/a", "x/a")).isEqualTo("No Connections");
        assertThat(r.externalSources()).extracting(e -> e.range().toString()).containsExactly(
                "0.0.0.0-9.255.255.255", "10.0.0.0-10.0.255.255", "10.1.0.0-10.1.255.255", "10.2.0.0-10.255.255.255",
                "11.0.0.0-255.255.255.255");
        assertThat(r.connections()).extracting(Connection::connlistLine)
                .contains("10.0.0.0-10.0.255.255[External] => x/a[Pod] : All Connections")
                .doesNotContain("10.1.0.0-10.1.255.255[External] => x/a[Pod] : All Connections");
    }

    @Test
    void ipv6BlocksAreAnalysed() {
        Reachability r = analyse(policy("x", "p", "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - ipBlock:\n"
                + "        cidr: 2001:db8::/32\n"));
        assertThat(r.connections()).extracting(Connection::connlistLine)
                .contains("x/a[Pod] => 2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff[External] : All Connections");
    }
}
