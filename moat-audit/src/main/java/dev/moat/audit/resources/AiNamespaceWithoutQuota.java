package dev.moat.audit.resources;

import dev.moat.audit.DocumentedRule;
import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.AiWorkloads;
import dev.moat.kube.Inventory;
import dev.moat.kube.KubeObject;
import dev.moat.kube.Workload;
import java.util.List;
import java.util.function.Consumer;

/** A namespace the inputs declare, running AI workloads, with no ResourceQuota. */
public final class AiNamespaceWithoutQuota extends DocumentedRule {

    public AiNamespaceWithoutQuota() {
        super(new RuleInfo("MOAT-RES-004", Severity.MEDIUM, "resources",
                "AI namespace without a ResourceQuota",
                "Without a quota nothing bounds what one namespace's model servers and training jobs take: a scaled-out "
                        + "deployment or a runaway hyper-parameter sweep claims every GPU and most of the memory in the "
                        + "cluster. Checked only for namespaces the inputs declare (a Namespace object), since a quota for "
                        + "a namespace the inputs merely use may be managed elsewhere.",
                "Add a ResourceQuota to the namespace capping requests.cpu, requests.memory, limits.memory and each "
                        + "accelerator (requests.nvidia.com/gpu); add a LimitRange for defaults.",
                List.of("Trivy KSV-0040 (namespace without ResourceQuota)", "Kyverno add-ns-quota (generation)")));
    }

    @Override
    public void check(Inventory inventory, Consumer<Finding> report) {
        for (KubeObject ns : inventory.ofKind("Namespace")) {
            if (!ns.group().isEmpty() || Quotas.in(inventory, ns.name()).findAny().isPresent()) {
                continue;
            }
            List<Workload> ai = Quotas.workloadsIn(inventory, ns.name()).filter(AiWorkloads::isAi).toList();
            if (ai.isEmpty()) {
                continue;
            }
            YamlMap metadata = ns.body().map("metadata");
            report.accept(finding(ns.ref(), metadata == null ? ns.location() : metadata.locationOf("name"),
                    "namespace " + ns.name() + " runs " + ai.size() + " AI workload(s) and has no ResourceQuota",
                    "AI workloads: " + ai.stream().map(Workload::describe).distinct().toList()
                            + "; " + ai.get(0).describe() + " because " + AiWorkloads.reason(ai.get(0)).orElseThrow()));
        }
    }
}
