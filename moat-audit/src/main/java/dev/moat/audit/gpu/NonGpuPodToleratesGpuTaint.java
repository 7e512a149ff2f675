package dev.moat.audit.gpu;

import dev.moat.audit.Configurable;
import dev.moat.audit.ManifestRule;
import dev.moat.audit.PodRule;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.config.RuleSettings;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.Workload;
import java.util.List;

/** A pod that uses no GPU yet may be scheduled onto GPU nodes. */
public final class NonGpuPodToleratesGpuTaint extends PodRule implements Configurable {

    private final GpuSettings settings;

    public NonGpuPodToleratesGpuTaint() {
        this(GpuSettings.DEFAULTS);
    }

    private NonGpuPodToleratesGpuTaint(GpuSettings settings) {
        super(new RuleInfo("MOAT-GPU-003", Severity.MEDIUM, "gpu", "Pod without GPUs tolerates the GPU taint",
                "The GPU taint is what keeps ordinary pods off nodes that cost dollars an hour and that hold other "
                        + "tenants' models in device memory. A pod that requests no GPU but tolerates the taint can squat "
                        + "on those nodes, take the CPU and memory GPU jobs need, and share a kernel with them. Applies to "
                        + "every workload except DaemonSets, whose node agents must run on GPU nodes too.",
                "Remove the GPU toleration from pods that request no GPU, or request the GPU they are meant to use.",
                List.of("no equivalent in the general scanners (Kyverno restrict-controlplane-scheduling is the same "
                        + "idea for control-plane taints)")));
        this.settings = settings;
    }

    @Override
    public ManifestRule configured(RuleSettings ruleSettings) {
        return new NonGpuPodToleratesGpuTaint(GpuSettings.from(ruleSettings));
    }

    @Override
    protected void check(Workload workload, Reporter report) {
        if (Gpus.isNodeAgent(workload) || Gpus.firstGpuRequest(workload).isPresent()) {
            return;
        }
        for (YamlMap t : workload.pod().tolerations()) {
            // A keyless toleration is MOAT-GPU-004's finding; reporting it here too would count one field twice.
            if (settings.isGpuTaint(t.text("key")) && Gpus.allowsScheduling(t, "NoSchedule")) {
                report.report(t.locationOf("key"), "requests no GPU but tolerates the GPU taint " + t.text("key"),
                        "toleration " + Gpus.describeToleration(t));
            }
        }
    }
}
