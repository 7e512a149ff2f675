package dev.moat.audit.runtime;

import static dev.moat.audit.Fixtures.PLAIN_POD;
import static dev.moat.audit.Fixtures.assertFinding;
import static dev.moat.audit.Manifests.at;
import static dev.moat.audit.Manifests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.moat.audit.Fixtures;
import dev.moat.audit.Manifests;
import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Severity;
import dev.moat.core.config.MoatConfig;
import dev.moat.core.config.RuleSettings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RuntimeRulesTest {

    /** A hardened pod with one container; {@code extra} is appended to the container. */
    private static String pod(String extra) {
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                  namespace: ml
                spec:
                  securityContext:
                    seccompProfile: {type: RuntimeDefault}
                  containers:
                    - name: app
                      image: nginx:1.27
                %s""".formatted(extra.indent(6));
    }

    private static final String HARDENED = """
            securityContext:
              readOnlyRootFilesystem: true
              capabilities:
                drop: ["ALL"]
                add: ["NET_BIND_SERVICE"]
            """;

    @Test
    void theHardenedContainerTripsNoRuntimeRule() {
        List<Finding> findings = new ArrayList<>();
        RuntimeRules.all().forEach(r -> r.check(Manifests.inventory(pod(HARDENED)), findings::add));
        assertThat(findings).isEmpty();
    }

    // MOAT-RUN-005

    @Test
    void eachCapabilityOutsideTheBaselineIsReported() {
        List<Finding> findings = run(new DangerousCapabilities(), pod("""
                securityContext:
                  capabilities:
                    add: ["NET_BIND_SERVICE", "CAP_SYS_ADMIN", net_raw, CHOWN]
                """));

        assertThat(findings).extracting(Finding::ruleId, Finding::severity, Manifests::at, Finding::message, Finding::evidence)
                .containsExactly(
                        tuple("MOAT-RUN-005", Severity.HIGH, "14:37", "container 'app': adds capability SYS_ADMIN",
                                "capabilities.add: CAP_SYS_ADMIN"),
                        tuple("MOAT-RUN-005", Severity.HIGH, "14:54", "container 'app': adds capability NET_RAW",
                                "capabilities.add: net_raw"));
    }

    // MOAT-RUN-006

    @Test
    void notDroppingAllIsReportedAtTheDeepestExistingField() {
        List<Finding> findings = run(new CapabilitiesNotDropped(), pod("""
                securityContext:
                  capabilities:
                    drop: ["NET_RAW"]
                """) + """
                    - name: bare
                      image: nginx:1.27
                    - name: vllm
                      image: vllm/vllm-openai:v0.6.3
                      securityContext:
                        privileged: true
                """);

        assertThat(findings).extracting(Manifests::at, Finding::message, Finding::evidence, Finding::severity).containsExactly(
                tuple("14:11", "container 'app': does not drop ALL capabilities", "capabilities.drop: [NET_RAW]", Severity.MEDIUM),
                tuple("15:7", "container 'bare': does not drop ALL capabilities", "capabilities.drop unset", Severity.MEDIUM));
    }

    @Test
    void dropAllIsGradedLowOutsideAiWorkloads() {
        List<Finding> findings = run(new CapabilitiesNotDropped(), """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                spec:
                  containers:
                    - name: app
                      image: nginx:1.27
                      securityContext:
                        runAsNonRoot: true
                """);
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.ruleId()).isEqualTo("MOAT-RUN-006");
            assertThat(f.severity()).isEqualTo(Severity.LOW);
            assertThat(at(f)).isEqualTo("9:7");
        });
        assertThat(run(new CapabilitiesNotDropped(), pod(HARDENED))).isEmpty();
    }

    // MOAT-RUN-007

    @Test
    void writableRootFilesystemIsReported() {
        List<Finding> findings = run(new WritableRootFilesystem(), pod("""
                securityContext:
                  readOnlyRootFilesystem: false
                """) + """
                    - name: bare
                      image: nginx:1.27
                """);

        assertThat(findings).extracting(Finding::ruleId, Finding::severity, Manifests::at, Finding::message).containsExactly(
                tuple("MOAT-RUN-007", Severity.LOW, "13:9",
                        "container 'app': root filesystem is writable (readOnlyRootFilesystem: false)"),
                tuple("MOAT-RUN-007", Severity.LOW, "14:7",
                        "container 'bare': readOnlyRootFilesystem is not set (the root filesystem is writable)"));
        assertThat(run(new WritableRootFilesystem(), pod(HARDENED))).isEmpty();
    }

    // MOAT-RUN-008 and MOAT-RUN-009

    @Test
    void unconfinedAtPodLevelIsOneFindingAndContainerOverridesCount() {
        String yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: llm
                spec:
                  template:
                    spec:
                      securityContext:
                        seccompProfile:
                          type: Unconfined
                      containers:
                        - name: a
                          image: vllm/vllm-openai:v0.6.3
                        - name: b
                          image: vllm/vllm-openai:v0.6.3
                        - name: c
                          image: vllm/vllm-openai:v0.6.3
                          securityContext:
                            seccompProfile: {type: RuntimeDefault}
                        - name: d
                          image: busybox:1.36
                          securityContext:
                            seccompProfile:
                              type: Unconfined
                """;
        List<Finding> findings = run(Seccomp.unconfined(), yaml);

        assertThat(findings).extracting(Finding::ruleId, Finding::severity, Manifests::at, Finding::message).containsExactly(
                tuple("MOAT-RUN-008", Severity.MEDIUM, "24:15", "container 'd': seccomp profile is Unconfined"),
                tuple("MOAT-RUN-008", Severity.MEDIUM, "10:11", "pod: seccomp profile is Unconfined"));
        assertThat(run(Seccomp.missing(), yaml)).as("an explicit profile is not a missing one").isEmpty();
    }

    @Test
    void missingSeccompIsOneFindingPerPodGradedForAi() {
        List<Finding> findings = run(Seccomp.missing(), Fixtures.deployment("llm").namespace("ml")
                .podSpec("securityContext:", "  runAsNonRoot: true")
                .container("server", "vllm/vllm-openai:v0.6.3")
                .container("proxy", "envoyproxy/envoy:v1.31.2")
                .container("driver", "nvcr.io/nvidia/driver:550", "securityContext:", "  privileged: true")
                .yaml() + "---\n" + PLAIN_POD);

        assertThat(findings).extracting(Finding::object, Finding::severity, Manifests::at, Finding::message).containsExactly(
                tuple(new ObjectRef("Deployment", "ml", "llm"), Severity.MEDIUM, "9:7",
                        "pod sets no seccompProfile for containers server, proxy"),
                tuple(new ObjectRef("Pod", "default", "plain"), Severity.LOW, "26:3",
                        "pod sets no seccompProfile for container app"));
        assertThat(findings).allSatisfy(f -> assertThat(f.ruleId()).isEqualTo("MOAT-RUN-009"));
    }

    // MOAT-RUN-010

    @Test
    void hostPortIsReportedAtTheFieldAndZeroIsIgnored() {
        List<Finding> findings = run(new HostPort(), pod("""
                ports:
                  - containerPort: 8000
                    hostPort: 8000
                  - containerPort: 9090
                    hostPort: 0
                  - containerPort: 8080
                """));

        assertThat(findings).singleElement().satisfies(f -> assertFinding(f, "MOAT-RUN-010", Severity.MEDIUM, "14:11",
                "container 'app': binds hostPort 8000 on the node",
                "hostPort: 8000 (containerPort 8000)"));
    }

    // MOAT-RUN-011

    @Test
    void runtimeSocketsAndTheirDirectoriesAreReported() {
        List<Finding> findings = run(new RuntimeSocketMount(), pod("") + """
                  volumes:
                    - name: docker
                      hostPath: {path: /var/run/docker.sock, type: Socket}
                    - name: containerd
                      hostPath:
                        path: /run/containerd/
                    - name: crio
                      hostPath:
                        path: /var/run/crio/crio.sock
                    - name: logs
                      hostPath:
                        path: /var/log
                    - name: cache
                      emptyDir: {}
                """);

        assertThat(findings).extracting(Finding::ruleId, Finding::severity, Manifests::at, Finding::evidence).containsExactly(
                tuple("MOAT-RUN-011", Severity.HIGH, "14:18", "hostPath.path: /var/run/docker.sock"),
                tuple("MOAT-RUN-011", Severity.HIGH, "17:9", "hostPath.path: /run/containerd/"),
                tuple("MOAT-RUN-011", Severity.HIGH, "20:9", "hostPath.path: /var/run/crio/crio.sock"));
        assertThat(findings.get(0).message())
                .isEqualTo("pod mounts the container runtime socket from the host (volume 'docker', path /var/run/docker.sock)");
        assertThat(RuntimeSocketMount.exposesSocket("/var/lib/docker-sock-backup")).isFalse();
    }

    // MOAT-RUN-012

    @Test
    void minerImagesArgumentsAndPoolsAreReported() {
        List<Finding> findings = run(new CryptoMiner(), """
                apiVersion: apps/v1
                kind: DaemonSet
                metadata:
                  name: helper
                spec:
                  template:
                    spec:
                      containers:
                        - name: a
                          image: docker.io/metal3d/xmrig:latest
                        - name: b
                          image: ubuntu:24.04
                          command: ["/bin/sh", "-c", "/tmp/nbminer -a kawpow -o stratum+tcp://pool.example:3333"]
                          env:
                            - name: POOL
                              value: gulf.moneroocean.stream:10128
                """);

        assertThat(findings).extracting(Finding::ruleId, Finding::severity, Manifests::at, Finding::message).containsExactly(
                tuple("MOAT-RUN-012", Severity.CRITICAL, "10:11",
                        "container 'a': image 'docker.io/metal3d/xmrig:latest' is a known crypto miner (xmrig)"),
                tuple("MOAT-RUN-012", Severity.CRITICAL, "13:38", "container 'b': command runs a crypto miner (nbminer)"),
                tuple("MOAT-RUN-012", Severity.CRITICAL, "16:22", "container 'b': env POOL runs a crypto miner (moneroocean.stream)"));
    }

    @Test
    void wordsThatMerelyContainMinerNamesAreNotReported() {
        assertThat(run(new CryptoMiner(), pod("""
                command: ["/usr/bin/reminderd", "--datamining", "--mode=stratum"]
                env:
                  - name: TOOL
                    value: gminerva-export
                """))).isEmpty();
    }

    // MOAT-RUN-013

    @Test
    void declaredNamespacesWithoutEnforceLabelAreReportedAndGradedForAi() {
        List<Finding> findings = run(new NamespaceWithoutPodSecurity(), """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: llm
                  labels:
                    pod-security.kubernetes.io/warn: restricted
                ---
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: tools
                ---
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: safe
                  labels:
                    pod-security.kubernetes.io/enforce: restricted
                ---
                apiVersion: v1
                kind: Pod
                metadata:
                  name: server
                  namespace: llm
                spec:
                  containers:
                    - name: vllm
                      image: vllm/vllm-openai:v0.6.3
                ---
                apiVersion: v1
                kind: Pod
                metadata:
                  name: implied
                  namespace: undeclared
                spec:
                  containers:
                    - name: app
                      image: nginx:1.27
                """);

        assertThat(findings).extracting(Finding::ruleId, Finding::object, Finding::severity, Manifests::at, Finding::message)
                .containsExactly(
                        tuple("MOAT-RUN-013", new ObjectRef("Namespace", "", "llm"), Severity.MEDIUM, "5:3",
                                "namespace llm has no pod-security.kubernetes.io/enforce label and runs AI workloads"),
                        tuple("MOAT-RUN-013", new ObjectRef("Namespace", "", "tools"), Severity.LOW, "10:1",
                                "namespace tools has no pod-security.kubernetes.io/enforce label"));
    }

    // MOAT-RUN-014

    private static final String GPU_POD = """
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: trainer
              namespace: ml
            spec:
              containers:
                - name: t
                  image: pytorch/pytorch:2.4.0
                  resources:
                    limits: {nvidia.com/gpu: 1}
            """;

    @Test
    void aSecurityAgentWithoutTheGpuTolerationIsReported() {
        String agents = """
                apiVersion: apps/v1
                kind: DaemonSet
                metadata:
                  name: falco
                  namespace: falco
                spec:
                  template:
                    spec:
                      tolerations:
                        - key: node-role.kubernetes.io/control-plane
                          effect: NoSchedule
                        - key: nvidia.com/gpu
                          operator: Exists
                          effect: NoExecute
                      containers:
                        - name: falco
                          image: docker.io/falcosecurity/falco:0.39.0
                ---
                apiVersion: apps/v1
                kind: DaemonSet
                metadata:
                  name: node-agent
                  namespace: kube-system
                spec:
                  template:
                    spec:
                      containers:
                        - name: t
                          image: quay.io/cilium/tetragon:v1.2.0
                ---
                apiVersion: apps/v1
                kind: DaemonSet
                metadata:
                  name: everywhere
                  namespace: kube-system
                spec:
                  template:
                    spec:
                      tolerations:
                        - operator: Exists
                      containers:
                        - name: s
                          image: quay.io/sysdig/agent:13.0.0
                ---
                apiVersion: apps/v1
                kind: DaemonSet
                metadata:
                  name: fluent-bit
                  namespace: logging
                spec:
                  template:
                    spec:
                      containers:
                        - name: f
                          image: fluent/fluent-bit:3.1
                """;
        List<Finding> findings = run(new UnmonitoredGpuNodes(), agents + GPU_POD);

        assertThat(findings).extracting(Finding::ruleId, Finding::object, Finding::severity, Manifests::at).containsExactly(
                tuple("MOAT-RUN-014", new ObjectRef("DaemonSet", "falco", "falco"), Severity.MEDIUM, "9:7"),
                tuple("MOAT-RUN-014", new ObjectRef("DaemonSet", "kube-system", "node-agent"), Severity.MEDIUM, "27:7"));
        assertThat(findings.get(0).message()).isEqualTo("runtime-security agent falco does not tolerate the GPU taint "
                + "nvidia.com/gpu, so GPU nodes (running Pod/ml/trainer) go unmonitored");
        assertThat(findings.get(0).evidence()).isEqualTo("tolerations: [node-role.kubernetes.io/control-plane, nvidia.com/gpu]");

        assertThat(run(new UnmonitoredGpuNodes(), agents)).as("no GPU workload, no GPU nodes to miss").isEmpty();
    }

    @Test
    void theGpuTaintKeysAreConfigurable() throws Exception {
        String yaml = """
                apiVersion: apps/v1
                kind: DaemonSet
                metadata:
                  name: falco
                spec:
                  template:
                    spec:
                      tolerations:
                        - key: nvidia.com/gpu
                          operator: Exists
                      containers:
                        - name: falco
                          image: falcosecurity/falco:0.39.0
                """ + GPU_POD;
        assertThat(run(new UnmonitoredGpuNodes(), yaml)).isEmpty();

        MoatConfig config = MoatConfig.parse(".moat.yaml",
                "settings:\n  gpuTaintKeys: [nvidia.com/gpu, pool.example.com/gpu]\n".getBytes(StandardCharsets.UTF_8), Set.of());
        List<Finding> findings = new ArrayList<>();
        new UnmonitoredGpuNodes().configured(new RuleSettings(config.settings())).check(Manifests.inventory(yaml), findings::add);
        assertThat(findings).singleElement().satisfies(f -> assertThat(f.message()).contains("GPU taint pool.example.com/gpu"));
    }
}
