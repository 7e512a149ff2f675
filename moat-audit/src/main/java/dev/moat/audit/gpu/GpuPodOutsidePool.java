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

/** A GPU pod that does not say which GPU pool it belongs to. */
public final class GpuPodOutsidePool extends PodRule implements Configurable {

    private final GpuSettings settings;

    public GpuPodOutsidePool() {
        this(GpuSettings.DEFAULTS);
    }

    private GpuPodOutsidePool(GpuSettings settings) {
        super(new RuleInfo("MOAT-GPU-001", Severity.LOW, "gpu", "GPU pod not pinned to a GPU node pool",
                "A GPU request alone lets the scheduler place the pod on any node that advertises the device: another "
                        + "team's pool, a node with a different GPU model or driver, or a shared pool whose isolation "
                        + "assumptions the workload breaks. Selecting the pool by label keeps each model on the nodes "
                        + "sized, patched and fenced for it. Applies to every pod that requests a GPU.",
                "Add a nodeSelector (or a required nodeAffinity term) on a GPU pool label such as "
                        + "cloud.google.com/gke-accelerator, nvidia.com/gpu.product or "
                        + "karpenter.k8s.aws/instance-gpu-name; list your own pool labels in settings.gpuPoolLabels.",
                List.of("no equivalent in the general scanners (kube-linter no-node-affinity is generic and off by default)")));
        this.settings = settings;
    }

    @Override
    public ManifestRule configured(RuleSettings ruleSettings) {
        return new GpuPodOutsidePool(GpuSettings.from(ruleSettings));
    }

    @Override
    protected void check(Workload workload, Reporter report) {
        Optional<String> gpu = Gpus.firstGpuRequest(workload);
        if (gpu.isEmpty() || selectsPool(workload.pod().body())) {
            return;
        }
        YamlMap pod = workload.pod().body();
        String at = pod.get("nodeSelector") != null ? "nodeSelector" : "affinity";
        report.report(pod.locationOf(at), gpu.get() + " but no nodeSelector or required node affinity names a GPU pool label",
                "nodeSelector: " + workload.pod().nodeSelector().keySet() + ", no GPU pool label");
    }

    private boolean selectsPool(YamlMap pod) {
        YamlMap selector = pod.map("nodeSelector");
        if (selector != null && selector.entries().keySet().stream().anyMatch(settings::isPoolLabel)) {
            return true;
        }
        YamlMap required = pod.path("affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution");
        List<YamlMap> terms = required == null ? List.of() : required.maps("nodeSelectorTerms");
        // Terms are ORed: one term without a pool label lets the pod anywhere.
        return !terms.isEmpty() && terms.stream().allMatch(term -> term.maps("matchExpressions").stream()
                .anyMatch(e -> settings.isPoolLabel(e.text("key")) && !"DoesNotExist".equals(e.text("operator"))
                        && !"NotIn".equals(e.text("operator"))));
    }
}
