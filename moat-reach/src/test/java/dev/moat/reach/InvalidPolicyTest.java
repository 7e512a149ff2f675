package dev.moat.reach;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.Diagnostic;
import dev.moat.core.yaml.YamlLimits;
import dev.moat.kube.Inventory;
import dev.moat.kube.ManifestParser;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A policy the API server would reject is reported at its field, and every other policy still applies. */
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
}
