package dev.moat.audit.runtime;

import dev.moat.audit.ContainerRule;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.util.List;

/** A container port bound on the node's own address. Applies to all workloads. */
public final class HostPort extends ContainerRule {

    public HostPort() {
        super(new RuleInfo("MOAT-RUN-010", Severity.MEDIUM, "runtime", "Container port bound on the node (hostPort)",
                "A hostPort publishes the port on every address of the node, outside Services and around most "
                        + "NetworkPolicy implementations, so an unauthenticated inference or metrics endpoint becomes "
                        + "reachable by anything that can reach the node. It also pins one replica per node per port.",
                "Remove hostPort and expose the port through a Service (ClusterIP behind an authenticating gateway).",
                List.of("Polaris hostPortSet", "Kubescape C-0044", "Checkov CKV_K8S_26", "Trivy KSV-0024",
                        "Kyverno disallow-host-ports")));
    }

    @Override
    protected void check(Workload workload, Container container, Reporter report) {
        for (YamlMap port : container.ports()) {
            String hostPort = port.text("hostPort");
            if (hostPort != null && !hostPort.trim().equals("0")) {
                report.report(port.locationOf("hostPort"), "binds hostPort " + hostPort + " on the node",
                        "hostPort: " + hostPort + (port.text("containerPort") == null ? "" : " (containerPort "
                                + port.text("containerPort") + ")"));
            }
        }
    }
}
