package dev.moat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

class ReachCommandTest {

    private static final String INSECURE = "../examples/insecure-inference";
    private static final String HARDENED = "../examples/hardened-inference";
    private static final String SPEC = "../examples/policy-tests/llm-serving.yaml";

    @TempDir
    Path tmp;

    @Test
    void insecureExampleIsOpenToTheInternetAndOtherNamespaces() {
        CliRun run = CliRun.of("reach", INSECURE);
        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .contains("0.0.0.0-255.255.255.255[External] => llm-serving/llama-chat[Deployment] : All Connections")
                .contains("llm-serving/llama-chat[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections")
                .contains("research/notebook[Deployment] => llm-serving/llama-chat[Deployment] : All Connections");
    }

    @Test
    void hardenedExampleKeepsOnlyTheIntendedPaths() {
        CliRun run = CliRun.of("reach", HARDENED);
        assertThat(run.out().lines()).containsExactly(
                "0.0.0.0-255.255.255.255[External] => api-gateway/gateway[Deployment] : TCP 8443",
                "api-gateway/gateway[Deployment] => llm-serving/llama-chat[Deployment] : TCP 8000");
    }

    @Test
    void explainNamesThePolicyAndRule() {
        CliRun run = CliRun.of("reach", HARDENED, "--explain", "api-gateway/gateway", "llm-serving/llama-chat", "--port", "8000/TCP");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("ALLOWED: TCP 8000")
                .contains("NetworkPolicy 'llm-serving/llama-chat-from-gateway' rule ingress[0] allows TCP 8000")
                .contains("Port 8000/TCP: allowed");
        CliRun denied = CliRun.of("reach", HARDENED, "--explain", "llm-serving/llama-chat", "8.8.8.8");
        assertThat(denied.out()).contains("DENIED").contains("selects llm-serving/llama-chat[Deployment] for egress");
        CliRun byDefault = CliRun.of("reach", INSECURE, "--explain", "research/notebook", "llama-chat");
        assertThat(byDefault.out()).contains("no NetworkPolicy selects llm-serving/llama-chat[Deployment] for ingress: allowed by default");
    }

    @Test
    void explainsTrafficFromTheIngressController() throws IOException {
        Files.writeString(tmp.resolve("ingress.yaml"), "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n"
                + "  name: chat\n  namespace: llm-serving\nspec:\n  rules:\n  - http:\n      paths:\n      - path: /\n"
                + "        pathType: Prefix\n        backend:\n          service:\n            name: llama-chat\n"
                + "            port: {number: 80}\n");
        CliRun run = CliRun.of("reach", INSECURE, tmp.resolve("ingress.yaml").toString(), "--explain", "{ingress-controller}",
                "llm-serving/llama-chat");
        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).contains("{ingress-controller} => llm-serving/llama-chat[Deployment]: ALLOWED")
                .contains("by Ingress llm-serving/chat");
    }

    @Test
    void unknownWorkloadIsAUsageError() {
        CliRun run = CliRun.of("reach", HARDENED, "--explain", "nope", "llama-chat");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("no workload 'nope'");
    }

    @Test
    void focusAndFormats() throws IOException {
        CliRun focus = CliRun.of("reach", INSECURE, "--focus-workload", "research/notebook");
        assertThat(focus.out().lines()).allMatch(l -> l.contains("research/notebook"));
        assertThat(focus.out().lines().count()).isEqualTo(6);
        JsonNode json = new ObjectMapper().readTree(CliRun.of("reach", HARDENED, "-f", "json").out());
        assertThat(json.size()).isEqualTo(2);
        assertThat(json.get(1).get("conn").asText()).isEqualTo("TCP 8000");
        assertThat(CliRun.of("reach", HARDENED, "-f", "csv").out()).startsWith("src,dst,conn\n");
        assertThat(CliRun.of("reach", HARDENED, "-f", "md").out()).startsWith("| src | dst | conn |");
        assertThat(CliRun.of("reach", HARDENED, "-f", "dot").out()).startsWith("digraph {")
                .contains("subgraph \"cluster_llm-serving\"").contains("-> \"llm-serving/llama-chat[Deployment]\" [label=\"TCP 8000\"]");
        assertThat(CliRun.of("reach", HARDENED, "-f", "svg").exitCode()).isEqualTo(2);
    }

    @Test
    void invalidPolicyIsLocatedAndTheRestStillAnalysed() throws IOException {
        Files.writeString(tmp.resolve("bad.yaml"), "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: bad\n"
                + "  namespace: llm-serving\nspec:\n  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock:\n        cidr: 300.0.0.0/8\n");
        CliRun run = CliRun.of("reach", HARDENED, tmp.resolve("bad.yaml").toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).containsPattern("bad\\.yaml:11:9: NetworkPolicy llm-serving/bad ignored: .*300\\.0\\.0\\.0/8");
        assertThat(run.out()).contains("api-gateway/gateway[Deployment] => llm-serving/llama-chat[Deployment] : TCP 8000");
    }

    @Test
    void diffShowsWhatARevisionOpensAndGatesOnIt() throws IOException {
        CliRun tighten = CliRun.of("reach", "diff", INSECURE, HARDENED, "--fail-on-added");
        assertThat(tighten.exitCode()).isZero();
        assertThat(tighten.out()).contains("removed  research/notebook[Deployment] => llm-serving/llama-chat[Deployment] : All Connections")
                .contains("changed  api-gateway/gateway[Deployment] => llm-serving/llama-chat[Deployment] : All Connections -> TCP 8000")
                .doesNotContain("workload removed");
        CliRun loosen = CliRun.of("reach", "diff", HARDENED, INSECURE, "--fail-on-added", "-f", "json");
        assertThat(loosen.exitCode()).isEqualTo(1);
        JsonNode json = new ObjectMapper().readTree(loosen.out());
        assertThat(json.get("changes").findValuesAsText("diff")).contains("added", "changed").doesNotContain("removed");
        assertThat(CliRun.of("reach", "diff", HARDENED, HARDENED, "--fail-on-added").out()).contains("No connectivity changes.");
    }

    @Test
    void policyTestsPassOnHardenedAndFailOnInsecure() throws Exception {
        CliRun pass = CliRun.of("reach", "test", SPEC, HARDENED);
        assertThat(pass.exitCode()).as(pass.all()).isZero();
        assertThat(pass.out()).endsWith("6 passed, 0 failed\n");
        CliRun fail = CliRun.of("reach", "test", SPEC, INSECURE, "-f", "junit");
        assertThat(fail.exitCode()).isEqualTo(1);
        Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(fail.out())));
        assertThat(xml.getElementsByTagName("testcase").getLength()).isEqualTo(6);
        assertThat(xml.getElementsByTagName("failure").getLength()).isEqualTo(4);
    }

    @Test
    void assertionMatchingNothingFailsAsVacuous() throws IOException {
        Path spec = tmp.resolve("vacuous.yaml");
        Files.writeString(spec, "tests:\n- name: typo\n  from: {namespace: reserch}\n  to: llm-serving/llama-chat\n  expect: deny\n");
        CliRun run = CliRun.of("reach", "test", spec.toString(), HARDENED);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("FAIL  typo").contains("vacuous: 'from' matches no workload");
    }

    @Test
    void malformedSpecIsAUsageErrorWithItsLine() throws IOException {
        Path spec = tmp.resolve("bad-spec.yaml");
        Files.writeString(spec, "tests:\n- name: x\n  from: a\n  to: b\n  expect: maybe\n");
        CliRun run = CliRun.of("reach", "test", spec.toString(), HARDENED);
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("bad-spec.yaml:5:3: expect must be allow or deny");
    }
}
