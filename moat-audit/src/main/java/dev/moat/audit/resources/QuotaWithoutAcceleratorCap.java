package dev.moat.audit.resources;

import dev.moat.audit.DocumentedRule;
import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.AiWorkloads;
import dev.moat.kube.Container;
import dev.moat.kube.Inventory;
import dev.moat.kube.KubeObject;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;

/** A namespace whose quotas cap CPU and memory but not the GPUs its workloads request. */
public final class QuotaWithoutAcceleratorCap extends DocumentedRule {

    public QuotaWithoutAcceleratorCap() {
        super(new RuleInfo("MOAT-RES-005", Severity.MEDIUM, "resources",
                "ResourceQuota does not cap the accelerators the namespace requests",
                "Accelerators are the scarcest resource in an AI cluster. A namespace whose quotas omit them can take "
                        + "every GPU of the cluster while staying within its CPU and memory quota, starving other teams' "
                        + "training and serving. Checked for namespaces that have a ResourceQuota in the inputs and "
                        + "workloads that request GPUs or other accelerators.",
                "Add requests.<resource> (for example requests.nvidia.com/gpu: 8) to the namespace's ResourceQuota; "
                        + "extended resources only accept the requests. prefix.",
                List.of("no equivalent in the general scanners")));
    }

    @Override
    public void check(Inventory inventory, Consumer<Finding> report) {
        for (String namespace : inventory.namespaces().keySet()) {
            List<KubeObject> quotas = Quotas.in(inventory, namespace).toList();
            if (quotas.isEmpty()) {
                continue;
            }
            TreeSet<String> uncapped = new TreeSet<>();
            Quotas.workloadsIn(inventory, namespace)
                    .flatMap(w -> w.pod().containers().stream())
                    .filter(c -> c.type() != Container.Type.EPHEMERAL)
                    .flatMap(c -> AiWorkloads.acceleratorResources(c).stream())
                    .filter(resource -> quotas.stream().noneMatch(q -> caps(q, resource)))
                    .forEach(uncapped::add);
            if (!uncapped.isEmpty()) {
                KubeObject quota = quotas.get(0);
                YamlMap spec = quota.spec();
                report.accept(finding(quota.ref(), spec.get("hard") == null ? quota.location() : spec.locationOf("hard"),
                        "no ResourceQuota in namespace " + namespace + " caps " + String.join(", ", uncapped)
                                + ", which its workloads request",
                        "missing: " + uncapped.stream().map(r -> "requests." + r).toList()));
            }
        }
    }

    private static boolean caps(KubeObject quota, String resource) {
        YamlMap hard = quota.spec().map("hard");
        return hard != null && hard.get("requests." + resource) != null;
    }
}
