package dev.moat.reach;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.Diagnostic;
import dev.moat.core.yaml.YamlLimits;
import dev.moat.kube.Inventory;
import dev.moat.kube.ManifestParser;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A policy (NetworkPolicy or admin tier) the API server would reject is reported at its field, and every other policy still applies. */
class InvalidPolicyTest {

    private static final String GOOD = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: good\n  namespace: x\n"
            + "spec:\n  podSelector: {}\n  policyTypes: [Ingress]\n";

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "- ipBlock: {cidr: 10.0.0.300/8}|9|bad address '10.0.0.300'",
        "- ipBlock: {cidr: 10.0.0.0/33}|9|prefix length must be 0-32",
        "- ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}|9|must lie strictly within cidr",
        "- podSelector: {matchExpressions: [{key: app, operator: Matches, values: [x]}]}|9|unknown selector operator 'Matches'",
        "- podSelector: {matchExpressions: [{key: app, operator: In}]}|9|operator In needs at least one value",
        "ports: [{port: 8080, endPort: 80}]|8|endPort 80 must be a number between port (8080) and 65535",
        "ports: [{port: 80, protocol: ICMP}]|8|unknown protocol 'ICMP'",
        "ports: [{port: 70000}]|8|port 70000 is outside 1-65535",
    })
    void invalidFieldIsLocatedAndTheRestAnalysed(String rule, int line, String message) {
        String bad = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: bad\n  namespace: x\nspec:\n  ingress:\n"
                + (rule.startsWith("ports") ? "    - " + rule + "\n" : "    - from:\n      " + rule + "\n");
        String yaml = bad + "---\n" + GOOD + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\nspec:\n"
                + "  containers: [{name: c, image: i}]\n";
        var parsed = new ManifestParser(YamlLimits.DEFAULT, "default").parse("policies.yaml", yaml.getBytes(StandardCharsets.UTF_8));
        Network network = Network.of(Inventory.of(parsed.objects()));
        assertThat(network.errors()).hasSize(1);
        Diagnostic error = network.errors().get(0);
        assertThat(error.location().file()).isEqualTo("policies.yaml");
        assertThat(error.location().line()).isEqualTo(line);
        assertThat(error.message()).contains("NetworkPolicy x/bad ignored").contains(message);
        assertThat(network.policies()).extracting(Policy::name).containsExactly("good");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', ignoreLeadingAndTrailingWhitespace = false, value = {
        "AdminNetworkPolicy|bad|  priority: 1001~  subject: {namespaces: {}}|6|priority '1001' must be a number between 0 and 1000",
        "AdminNetworkPolicy|bad|  subject: {namespaces: {}}|6|priority is required",
        "AdminNetworkPolicy|bad|  priority: 1~  subject: {namespaces: {}, pods: {podSelector: {}}}|7|subject must set exactly one of namespaces, pods, not namespaces and pods",
        "AdminNetworkPolicy|bad|  priority: 1|6|subject is required",
        "AdminNetworkPolicy|bad|  priority: 1~  subject: {namespaces: {}}~  ingress:~  - {name: r, action: Drop, from: [{namespaces: {}}]}|9|unknown action 'Drop' (expected Allow, Deny or Pass)",
        "AdminNetworkPolicy|bad|  priority: 1~  subject: {namespaces: {}}~  ingress:~  - {name: r, action: Deny, from: []}|9|'from' must list at least one peer",
        "AdminNetworkPolicy|bad|  priority: 1~  subject: {namespaces: {}}~  ingress:~  - {action: Deny, from: [{networks: [10.0.0.0/8]}]}|9|a peer in 'from' must set exactly one of namespaces, pods",
        "AdminNetworkPolicy|bad|  priority: 1~  subject: {namespaces: {}}~  egress:~  - action: Deny~    to: [{networks: [10.0.0.300/8]}]|10|bad address '10.0.0.300'",
        "AdminNetworkPolicy|bad|  priority: 1~  subject: {namespaces: {}}~  egress:~  - action: Deny~    to: [{pods: {podSelector: {matchExpressions: [{key: a, operator: Is}]}}}]|10|unknown selector operator 'Is'",
        "AdminNetworkPolicy|bad|  priority: 1~  subject: {namespaces: {}}~  egress:~  - action: Deny~    to: [{namespaces: {}}]~    ports:~    - portRange: {start: 90, end: 80}|12|portRange end 80 is below its start 90",
        "AdminNetworkPolicy|bad|  priority: 1~  subject: {namespaces: {}}~  egress:~  - action: Deny~    to: [{namespaces: {}}]~    ports:~    - {portNumber: {port: 80}, namedPort: http}|12|a ports entry must set exactly one of namedPort, portNumber, portRange, not portNumber and namedPort",
        "BaselineAdminNetworkPolicy|other|  subject: {namespaces: {}}|4|a BaselineAdminNetworkPolicy must be named 'default'",
        "BaselineAdminNetworkPolicy|default|  subject: {namespaces: {}}~  ingress:~  - {action: Pass, from: [{namespaces: {}}]}|8|unknown action 'Pass' (expected Allow or Deny)",
    })
    void invalidAdminPolicyIsLocatedAndTheRestAnalysed(String kind, String name, String spec, int line, String message) {
        // '~' stands for a line break in the spec column.
        String admin = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: " + kind + "\nmetadata:\n  name: " + name + "\nspec:\n"
                + spec.replace("~", "\n") + "\n";
        String good = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata:\n  name: good\nspec:\n"
                + "  priority: 5\n  subject: {namespaces: {}}\n";
        var parsed = new ManifestParser(YamlLimits.DEFAULT, "default").parse("admin.yaml",
                (admin + "---\n" + good).getBytes(StandardCharsets.UTF_8));
        Network network = Network.of(Inventory.of(parsed.objects()));
        assertThat(network.errors()).hasSize(1);
        Diagnostic error = network.errors().get(0);
        assertThat(error.location().file()).isEqualTo("admin.yaml");
        assertThat(error.location().line()).isEqualTo(line);
        assertThat(error.message()).contains(kind + " " + name + " ignored").contains(message);
        assertThat(network.adminPolicies()).extracting(AdminPolicy::name).containsExactly("good");
    }
}
