package dev.moat.audit.gpu;

import dev.moat.audit.ContainerRule;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.math.BigDecimal;
import java.util.List;

/** GPUs cannot be overcommitted, so a GPU request needs an equal limit. */
public final class GpuLimitMismatch extends ContainerRule {

    public GpuLimitMismatch() {
        super(new RuleInfo("MOAT-GPU-005", Severity.MEDIUM, "gpu", "GPU request without an equal limit",
                "Extended resources such as GPUs cannot be overcommitted: the API server rejects a container whose GPU "
                        + "request has no limit or a different one. In a custom resource (a RayCluster worker group, a "
                        + "KServe predictor) the error only surfaces when the operator creates the pod, so the model "
                        + "never starts and the failure hides in operator logs. Applies to every container that requests "
                        + "a GPU.",
                "Set resources.limits to the GPU count and either drop the request (it defaults to the limit) or make "
                        + "it equal.",
                List.of("no equivalent in the general scanners")));
    }

    @Override
    protected void check(Workload workload, Container container, Reporter report) {
        YamlMap resources = container.resources();
        YamlMap requests = resources == null ? null : resources.map("requests");
        if (requests == null) {
            return;
        }
        YamlMap limits = resources.map("limits");
        for (String gpu : Gpus.gpuResources(container)) {
            String requested = requests.text(gpu);
            String limit = limits == null ? null : limits.text(gpu);
            if (requested == null || sameQuantity(requested, limit)) {
                continue;
            }
            String problem = limit == null
                    ? "requests " + gpu + ": " + requested + " without a limit; the API server rejects the pod"
                    : "requests " + gpu + ": " + requested + " but limits it to " + limit + "; the API server rejects the pod";
            report.report(requests.locationOf(gpu), problem,
                    "requests." + gpu + "=" + requested + ", limits." + gpu + "=" + (limit == null ? "<unset>" : limit));
        }
    }

    private static boolean sameQuantity(String a, String b) {
        if (b == null) {
            return false;
        }
        try {
            return new BigDecimal(a.trim()).compareTo(new BigDecimal(b.trim())) == 0;
        } catch (NumberFormatException e) {
            return a.trim().equals(b.trim());
        }
    }
}
