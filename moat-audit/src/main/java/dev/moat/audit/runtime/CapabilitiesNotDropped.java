package dev.moat.audit.runtime;

import dev.moat.audit.ContainerRule;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import dev.moat.core.yaml.YamlSeq;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.util.List;

/**
 * A container that keeps the runtime's default capabilities because it does not drop ALL. Applies to
 * all workloads, graded medium on AI workloads; privileged containers are left to MOAT-RUN-001.
 */
public final class CapabilitiesNotDropped extends ContainerRule {

    public CapabilitiesNotDropped() {
        super(new RuleInfo("MOAT-RUN-006", Severity.LOW, "runtime", "Capabilities not dropped",
                "Container runtimes grant a default set of capabilities (NET_RAW, CHOWN, SETUID, DAC_OVERRIDE...) that a "
                        + "model server does not need; NET_RAW alone allows ARP and DNS spoofing of neighbouring pods. "
                        + "Dropping ALL is what the restricted Pod Security profile requires. Graded medium on AI "
                        + "workloads, which run large third-party Python stacks and untrusted model files.",
                "Set securityContext.capabilities.drop: [\"ALL\"] and add back only NET_BIND_SERVICE if the server binds "
                        + "a port below 1024.",
                List.of("Polaris dangerousCapabilities", "Kubescape C-0046", "Checkov CKV_K8S_28/37",
                        "kubesec CapDropAll, CapDropAny", "Trivy KSV-0003/0004", "Kyverno require-drop-all")));
    }

    @Override
    protected void check(Workload workload, Container container, Reporter report) {
        if (SecurityFields.privileged(container)) {
            return;
        }
        YamlMap caps = container.securityContext() == null ? null : container.securityContext().map("capabilities");
        YamlSeq drop = caps == null ? null : caps.seq("drop");
        boolean dropsAll = drop != null && drop.texts().stream().anyMatch(c -> c.trim().equalsIgnoreCase("ALL"));
        if (!dropsAll) {
            report.reportGradedForAi(SecurityFields.missingAt(container, "securityContext", "capabilities", "drop"),
                    "does not drop ALL capabilities",
                    drop == null ? "capabilities.drop unset" : "capabilities.drop: " + drop.texts(), Severity.MEDIUM);
        }
    }
}
