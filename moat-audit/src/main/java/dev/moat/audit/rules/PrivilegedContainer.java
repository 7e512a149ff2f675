package dev.moat.audit.rules;

import dev.moat.audit.ContainerRule;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.util.List;

/** Privileged containers get every device and capability of the node, GPUs and drivers included. */
public final class PrivilegedContainer extends ContainerRule {

    public PrivilegedContainer() {
        super(new RuleInfo("MOAT-RUN-001", Severity.HIGH, "runtime", "Privileged container",
                "A privileged container sees every device of the node and holds every capability: a compromise "
                        + "of the model server is a compromise of the node, its GPUs and every other tenant's data on it. "
                        + "GPU access does not need it; the device plugin exposes GPUs to unprivileged containers.",
                "Remove 'privileged: true'. Request GPUs through resources.limits (nvidia.com/gpu) and add only the "
                        + "specific capabilities the process needs.",
                List.of("kube-linter privileged-container", "Polaris runAsPrivileged", "Kubescape C-0057",
                        "Checkov CKV_K8S_16", "Trivy KSV-0017", "Kyverno disallow-privileged-containers")));
    }

    @Override
    protected void check(Workload workload, Container container, Reporter report) {
        YamlMap sc = container.securityContext();
        if (sc != null && Boolean.TRUE.equals(sc.bool("privileged"))) {
            report.report(sc.locationOf("privileged"), "runs privileged", "securityContext.privileged: true");
        }
    }
}
