package dev.moat.reach;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.yaml.YamlLimits;
import dev.moat.kube.Inventory;
import dev.moat.kube.ManifestParser;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy semantics, one rule of the API at a time, through
 * bulk analysis and explanations alike: ANPs by priority, rules in order, the first rule naming a
 * port decides it; Pass and unmatched traffic go to NetworkPolicies, and to the baseline for pods no
 * NetworkPolicy isolates.
 */
class AdminNetworkPolicySemanticsTest {

    /** Namespaces x (blue), y (red) and z (no team), with pods a and b; a pod serves http (80) and dns (53/UDP). */
    private static final String CLUSTER = namespace("x", "team: blue") + namespace("y", "team: red") + namespace("z", "")
            + pod("x", "a") + pod("x", "b") + pod("y", "a") + pod("z", "a");

    private static final String FROM_RED = "    from:\n    - namespaces: {matchLabels: {team: red}}\n";

    private static String namespace(String name, String labels) {
        return "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n"
                + (labels.isEmpty() ? "" : "  labels:\n    " + labels + "\n");
    }

    private static String pod(String ns, String name) {
        return "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\n  labels:\n    pod: " + name
                + "\nspec:\n  containers:\n  - name: c\n    image: img\n    ports:\n    - name: http\n      containerPort: 80\n"
                + "    - name: dns\n      containerPort: 53\n      protocol: UDP\n";
    }

    /** An AdminNetworkPolicy whose subject is namespace x. */
    private static String anp(String name, int priority, String rules) {
        return "---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata:\n  name: " + name
                + "\nspec:\n  priority: " + priority + "\n  subject:\n    namespaces: {matchLabels: {team: blue}}\n" + rules;
    }

    private static String baseline(String subject, String rules) {
        return "---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata:\n  name: default\n"
                + "spec:\n  subject:\n    " + subject + "\n" + rules;
    }

    private static String policy(String ns, String name, String spec) {
        return "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: " + name + "\n  namespace: " + ns
                + "\nspec:\n" + spec;
    }

    private static Reachability analyse(String policies) {
        var parsed = new ManifestParser(YamlLimits.DEFAULT, "default").parse("test.yaml",
                (CLUSTER + policies).getBytes(StandardCharsets.UTF_8));
        assertThat(parsed.errors()).isEmpty();
        Network network = Network.of(Inventory.of(parsed.objects()));
        assertThat(network.errors()).isEmpty();
        return new Reachability(network);
    }

    private static Endpoint workload(Reachability r, String reference) {
        return r.workloads().stream().filter(w -> w.matches(reference)).findFirst().orElseThrow();
    }

    /** The bulk result for a pair, checked against the direct per-pair evaluation. */
    private static String conn(Reachability r, String src, String dst) {
        Map<String, String> bulk = r.connections().stream()
                .collect(Collectors.toMap(c -> c.source().display() + ">" + c.destination().display(), c -> c.allowed().toString()));
        Endpoint s = workload(r, src);
        Endpoint d = workload(r, dst);
        String listed = bulk.getOrDefault(s.display() + ">" + d.display(), "No Connections");
        assertThat(listed).as("bulk vs direct for " + src + " => " + dst).isEqualTo(r.allowed(s, d).toString());
        return listed;
    }

    private static String explain(Reachability r, String src, String dst) {
        return r.explain(workload(r, src), workload(r, dst)).describe();
    }

    @Test
    void theLowerPriorityNumberWins() {
        String deny = "  ingress:\n  - name: deny-from-red\n    action: Deny\n" + FROM_RED;
        String allow = "  ingress:\n  - name: allow-from-red\n    action: Allow\n" + FROM_RED;
        Reachability allowFirst = analyse(anp("deny", 20, deny) + anp("allow", 10, allow));
        assertThat(conn(allowFirst, "y/a", "x/a")).isEqualTo("All Connections");
        assertThat(explain(allowFirst, "y/a", "x/a"))
                .contains("AdminNetworkPolicy 'allow' allows All Connections by ingress rule 'allow-from-red'")
                .doesNotContain("'deny'");
        Reachability denyFirst = analyse(anp("deny", 5, deny) + anp("allow", 10, allow));
        assertThat(conn(denyFirst, "y/a", "x/a")).isEqualTo("No Connections");
        assertThat(conn(denyFirst, "z/a", "x/a")).as("not matched by any rule").isEqualTo("All Connections");
    }

    @Test
    void theFirstRuleNamingAPortDecidesIt() {
        String allow80 = "  - name: allow-http\n    action: Allow\n" + FROM_RED + "    ports:\n    - portNumber: {protocol: TCP, port: 80}\n"
                + "    - portRange: {protocol: TCP, start: 8000, end: 8100}\n";
        String denyAll = "  - name: deny-from-red\n    action: Deny\n" + FROM_RED;
        Reachability allowThenDeny = analyse(anp("p", 10, "  ingress:\n" + allow80 + denyAll));
        assertThat(conn(allowThenDeny, "y/a", "x/a")).isEqualTo("TCP 80,8000-8100");
        assertThat(explain(allowThenDeny, "y/a", "x/a"))
                .contains("AdminNetworkPolicy 'p' allows TCP 80,8000-8100 by ingress rule 'allow-http'")
                .contains("AdminNetworkPolicy 'p' denies SCTP 1-65535,TCP 1-79,81-7999,8101-65535,UDP 1-65535 by ingress rule 'deny-from-red'");
        Reachability denyThenAllow = analyse(anp("p", 10, "  ingress:\n" + denyAll + allow80));
        assertThat(conn(denyThenAllow, "y/a", "x/a")).isEqualTo("No Connections");
    }

    @Test
    void aNamedPortTakesTheContainerPortsProtocol() {
        Reachability r = analyse(anp("p", 10, "  ingress:\n  - name: dns-only\n    action: Allow\n" + FROM_RED
                + "    ports:\n    - namedPort: dns\n  - name: rest\n    action: Deny\n" + FROM_RED));
        assertThat(conn(r, "y/a", "x/a")).isEqualTo("UDP 53");
    }

    @Test
    void passFallsThroughToNetworkPoliciesThenToTheBaseline() {
        String pass = anp("pass-red", 10, "  ingress:\n  - name: pass-red\n    action: Pass\n" + FROM_RED);
        String denyRed = baseline("namespaces: {}", "  ingress:\n  - name: deny-red\n    action: Deny\n" + FROM_RED);
        Reachability toBaseline = analyse(pass + denyRed);
        assertThat(conn(toBaseline, "y/a", "x/a")).isEqualTo("No Connections");
        assertThat(explain(toBaseline, "y/a", "x/a"))
                .contains("AdminNetworkPolicy 'pass-red' passes All Connections on to NetworkPolicies by ingress rule 'pass-red'")
                .contains("BaselineAdminNetworkPolicy 'default' denies All Connections by ingress rule 'deny-red'");
        assertThat(conn(toBaseline, "z/a", "x/a")).isEqualTo("All Connections");

        String httpOnly = policy("x", "http-only", "  podSelector: {}\n  ingress:\n  - ports:\n    - port: 80\n");
        Reachability toNetworkPolicy = analyse(pass + denyRed + httpOnly);
        assertThat(conn(toNetworkPolicy, "y/a", "x/a")).as("isolated by a NetworkPolicy: the baseline is not consulted")
                .isEqualTo("TCP 80");
        assertThat(conn(toNetworkPolicy, "z/a", "x/a")).isEqualTo("TCP 80");

        Reachability withoutBaseline = analyse(pass);
        assertThat(conn(withoutBaseline, "y/a", "x/a")).isEqualTo("All Connections");
    }

    @Test
    void allowAndDenyOverrideNetworkPolicies() {
        String denyAll = policy("x", "deny-all", "  podSelector: {}\n  policyTypes: [Ingress]\n");
        Reachability allowed = analyse(denyAll + anp("p", 10, "  ingress:\n  - name: allow-red\n    action: Allow\n" + FROM_RED));
        assertThat(conn(allowed, "y/a", "x/a")).isEqualTo("All Connections");
        assertThat(conn(allowed, "z/a", "x/a")).isEqualTo("No Connections");

        String allowAll = policy("x", "allow-all", "  podSelector: {}\n  ingress:\n  - {}\n");
        Reachability denied = analyse(allowAll + anp("p", 10, "  ingress:\n  - name: deny-red\n    action: Deny\n" + FROM_RED));
        assertThat(conn(denied, "y/a", "x/a")).isEqualTo("No Connections");
        assertThat(conn(denied, "z/a", "x/a")).isEqualTo("All Connections");
    }

    @Test
    void theBaselineAppliesOnlyWhereNoNetworkPolicyIsolatesTheDirection() {
        String denyToX = baseline("namespaces: {}", "  egress:\n  - name: deny-to-x\n    action: Deny\n    to:\n"
                + "    - pods: {namespaceSelector: {matchLabels: {team: blue}}, podSelector: {matchLabels: {pod: a}}}\n");
        String egressOpenInY = policy("y", "open", "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - {}\n");
        Reachability r = analyse(denyToX + egressOpenInY);
        assertThat(conn(r, "y/a", "x/a")).isEqualTo("All Connections");
        assertThat(conn(r, "z/a", "x/a")).isEqualTo("No Connections");
        assertThat(conn(r, "z/a", "x/b")).as("the pods selector").isEqualTo("All Connections");
    }

    @Test
    void eachSideDecidesAndTheSidesIntersect() {
        String egressDenyHttp = "---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata:\n"
                + "  name: red-out\nspec:\n  priority: 3\n  subject:\n    namespaces: {matchLabels: {team: red}}\n  egress:\n"
                + "  - name: no-http-to-blue\n    action: Deny\n    to:\n    - namespaces: {matchLabels: {team: blue}}\n"
                + "    ports:\n    - portNumber: {port: 80}\n";
        String ingressUdpOnly = anp("blue-in", 4, "  ingress:\n  - name: udp\n    action: Allow\n" + FROM_RED
                + "    ports:\n    - portRange: {protocol: UDP, start: 1, end: 65535}\n    - portNumber: {port: 80}\n"
                + "  - name: rest\n    action: Deny\n" + FROM_RED);
        Reachability r = analyse(egressDenyHttp + ingressUdpOnly);
        assertThat(conn(r, "y/a", "x/a")).isEqualTo("UDP 1-65535");
    }

    @Test
    void egressNetworksCutTheExternalDestinationsAndNeverMatchPods() {
        Reachability r = analyse(anp("p", 10, "  egress:\n  - name: no-private\n    action: Deny\n    to:\n    - networks: [10.0.0.0/8]\n"
                + "  - name: nodes-match-nothing\n    action: Deny\n    to:\n    - nodes: {matchLabels: {role: infra}}\n"));
        assertThat(r.externalDestinations()).extracting(e -> e.range().toString())
                .containsExactly("0.0.0.0-9.255.255.255", "10.0.0.0-10.255.255.255", "11.0.0.0-255.255.255.255");
        assertThat(r.externalSources()).extracting(e -> e.range().toString()).containsExactly("0.0.0.0-255.255.255.255");
        assertThat(r.connections()).extracting(Connection::connlistLine)
                .contains("x/a[Pod] => 0.0.0.0-9.255.255.255[External] : All Connections",
                        "y/a[Pod] => 10.0.0.0-10.255.255.255[External] : All Connections")
                .doesNotContain("x/a[Pod] => 10.0.0.0-10.255.255.255[External] : All Connections");
        assertThat(conn(r, "x/a", "y/a")).isEqualTo("All Connections");
    }

    @Test
    void adminPoliciesDoNotIsolate() {
        Reachability r = analyse(anp("p", 10, "  ingress:\n  - name: deny-z\n    action: Deny\n    from:\n"
                + "    - namespaces: {matchLabels: {kubernetes.io/metadata.name: z}}\n"));
        assertThat(conn(r, "y/a", "x/a")).isEqualTo("All Connections");
        assertThat(explain(r, "y/a", "x/a")).contains("no NetworkPolicy selects x/a[Pod] for ingress: allowed by default");
    }
}
