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
import java.util.Optional;

/** A GPU pod that does not tolerate the taint fencing GPU nodes. */
public final class GpuPodWithoutToleration extends PodRule implements Configurable {

    private final GpuSettings settings;

    public GpuPodWithoutToleration() {
        this(GpuSettings.DEFAULTS);
    }

    private GpuPodWithoutToleration(GpuSettings settings) {
        super(new RuleInfo("MOAT-GPU-002", Severity.LOW, "gpu", "GPU pod does not tolerate the GPU taint",
                "GPU nodes should carry a NoSchedule taint so that only pods meant for them land there. A GPU pod "
                        + "without the matching toleration either stays Pending on a well-fenced cluster or, when it "
                        + "schedules, shows that the GPU nodes are not tainted at all. Clusters whose admission adds the "
                        + "toleration (ExtendedResourceToleration, GKE) can switch this rule off. Applies to every pod "
                        + "that requests a GPU.",
                "Taint GPU nodes (for example nvidia.com/gpu=present:NoSchedule) and add the matching toleration to "
                        + "GPU pods; list custom taint keys in settings.gpuTaintKeys.",
                List.of("no equivalent in the general scanners (Kyverno add-tolerations is a generic mutation)")));
        this.settings = settings;
    }

    @Override
    public ManifestRule configured(RuleSettings ruleSettings) {
        return new GpuPodWithoutToleration(GpuSettings.from(ruleSettings));
    }

    @Override
    protected void check(Workload workload, Reporter report) {
        Optional<String> gpu = Gpus.firstGpuRequest(workload);
        List<YamlMap> tolerations = workload.pod().tolerations();
        if (gpu.isEmpty() || Gpus.gpuToleration(tolerations, settings).isPresent()) {
            return;
        }
        report.report(workload.pod().body().locationOf("tolerations"),
                gpu.get() + " but tolerates none of the GPU taints " + settings.taintKeys(),
                "tolerations: " + tolerations.stream().map(Gpus::describeToleration).toList());
    }
}
