package dev.moat.audit.runtime;

import dev.moat.audit.DocumentedRule;
import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.Inventory;
import dev.moat.kube.Workload;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A hostPath volume that exposes a container runtime's API socket (Docker, containerd, CRI-O,
 * cri-dockerd, Podman), directly or through the run directory that holds it. Applies to all workloads.
 */
public final class RuntimeSocketMount extends DocumentedRule {

    private static final Set<String> SOCKETS = Set.of("docker.sock", "containerd.sock", "crio.sock", "cri-dockerd.sock",
            "podman.sock", "dockershim.sock");
    private static final Set<String> SOCKET_DIRECTORIES = Set.of("/var/run", "/run", "/var/run/docker", "/run/docker",
            "/var/run/containerd", "/run/containerd", "/var/run/crio", "/run/crio", "/run/k3s/containerd",
            "/var/run/podman", "/run/podman");

    private static final RuleInfo INFO = new RuleInfo("MOAT-RUN-011", Severity.HIGH, "runtime",
            "Container runtime socket mounted from the host",
            "Whoever can talk to the container runtime's socket can start a privileged container on the node, read "
                    + "every other container's filesystem and environment (model weights, hub and cloud tokens) and "
                    + "take over the node and its GPUs; it is root on the node under another name.",
            "Remove the hostPath volume. Build images with a daemonless builder (BuildKit rootless, Kaniko) and read "
                    + "container metadata from the Kubernetes API instead; keep node agents that truly need the socket in "
                    + "a dedicated namespace and suppress with a reason.",
            List.of("kube-linter docker-sock", "Kubescape C-0074", "Checkov CKV_K8S_27", "kubesec DockerSock",
                    "Trivy KSV-0006", "Kyverno disallow-cri-sock-mount"));

    public RuntimeSocketMount() {
        super(INFO);
    }

    @Override
    public void check(Inventory inventory, Consumer<Finding> report) {
        for (Workload w : inventory.workloads()) {
            for (YamlMap volume : w.pod().volumes()) {
                YamlMap hostPath = volume.map("hostPath");
                String path = hostPath == null ? null : hostPath.text("path");
                if (path != null && exposesSocket(path)) {
                    report.accept(finding(w.ref(), hostPath.locationOf("path"), SecurityFields.describe(w.component())
                            + " mounts the container runtime socket from the host (volume '" + volume.text("name")
                            + "', path " + path + ")", "hostPath.path: " + path));
                }
            }
        }
    }

    static boolean exposesSocket(String path) {
        String p = path.trim();
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        String file = p.substring(p.lastIndexOf('/') + 1);
        return SOCKETS.contains(file) || SOCKET_DIRECTORIES.contains(p);
    }
}
