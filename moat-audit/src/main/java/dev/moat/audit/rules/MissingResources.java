package dev.moat.audit.rules;

import dev.moat.audit.ContainerRule;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.util.ArrayList;
import java.util.List;

/** CPU and memory requests and limits; graded high on AI workloads, whose appetite starves neighbours. */
public final class MissingResources extends ContainerRule {

    public MissingResources() {
        super(new RuleInfo("MOAT-RES-001", Severity.MEDIUM, "resources", "Missing CPU or memory requests or limits",
                "Without requests the scheduler cannot place the pod sensibly; without a memory limit one model "
                        + "loading its weights can exhaust the node and get its neighbours OOM-killed. AI workloads "
                        + "(GPU requests, model servers, training jobs) are graded high, since their memory use is "
                        + "large and bursty.",
                "Set resources.requests.cpu, resources.requests.memory, resources.limits.cpu and "
                        + "resources.limits.memory on every container; size the memory limit for the model's weights "
                        + "plus KV cache.",
                List.of("kube-linter unset-cpu-requirements/unset-memory-requirements", "kube-score container-resources",
                        "Polaris cpuRequestsMissing/cpuLimitsMissing/memoryRequestsMissing/memoryLimitsMissing",
                        "Kubescape C-0050, C-0004", "Checkov CKV_K8S_10-13", "Trivy KSV-0011/0015/0016/0018",
                        "Kyverno require-pod-requests-limits")));
    }

    @Override
    protected void check(Workload workload, Container container, Reporter report) {
        if (container.type() == Container.Type.EPHEMERAL) {
            return;
        }
        YamlMap resources = container.resources();
        List<String> missing = new ArrayList<>();
        for (String section : List.of("requests", "limits")) {
            YamlMap m = resources == null ? null : resources.map(section);
            for (String resource : List.of("cpu", "memory")) {
                if (m == null || m.text(resource) == null) {
                    missing.add(section + "." + resource);
                }
            }
        }
        if (!missing.isEmpty()) {
            report.reportGradedForAi(container.body().locationOf("resources"),
                    "no " + String.join(", ", missing), "missing: " + String.join(", ", missing), Severity.HIGH);
        }
    }
}
