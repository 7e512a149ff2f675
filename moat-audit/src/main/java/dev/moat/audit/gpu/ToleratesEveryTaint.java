package dev.moat.audit.gpu;

import dev.moat.audit.PodRule;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.Workload;
import java.util.List;

/** {@code operator: Exists} without a key tolerates every taint, GPU and control-plane taints included. */
public final class ToleratesEveryTaint extends PodRule {

    public ToleratesEveryTaint() {
        super(new RuleInfo("MOAT-GPU-004", Severity.MEDIUM, "gpu", "Toleration matches every taint",
                "A toleration with operator: Exists and no key matches every taint: the pod can land on GPU nodes, "
                        + "control-plane nodes and nodes being drained, and without an effect it also survives "
                        + "NoExecute evictions. It defeats every taint-based fence at once. Applies to every workload "
                        + "except DaemonSets, whose node agents are meant to run everywhere.",
                "Tolerate the specific taints the workload needs, by key and effect.",
                List.of("no equivalent in the general scanners")));
    }

    @Override
    protected void check(Workload workload, Reporter report) {
        if (Gpus.isNodeAgent(workload)) {
            return;
        }
        for (YamlMap t : workload.pod().tolerations()) {
            if (Gpus.isKeyless(t)) {
                report.report(t.locationOf("operator"), "a toleration with operator: Exists and no key tolerates every taint",
                        "toleration " + Gpus.describeToleration(t));
            }
        }
    }
}
