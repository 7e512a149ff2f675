package dev.moat.audit.gpu;

import dev.moat.audit.Configurable;
import dev.moat.audit.DocumentedRule;
import dev.moat.audit.ManifestRule;
import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.config.RuleSettings;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.Inventory;
import dev.moat.kube.KubeObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** A GPU Node any pod may be scheduled onto. */
public final class GpuNodeWithoutTaint extends DocumentedRule implements Configurable {

    private static final RuleInfo INFO = new RuleInfo("MOAT-GPU-006", Severity.MEDIUM, "gpu",
            "GPU node without a NoSchedule taint",
            "Without a NoSchedule (or NoExecute) taint every pod of the cluster may be scheduled onto the GPU node: web "
                    + "front-ends and batch jobs take its CPU and memory so GPU jobs cannot start, and untrusted pods "
                    + "share a kernel and a driver with the models loaded there. Checked on Node objects in the inputs; "
                    + "a node counts as a GPU node when it advertises a GPU resource or carries a label from "
                    + "settings.gpuNodeLabels.",
            "Taint GPU nodes, for example nvidia.com/gpu=present:NoSchedule (set it on the node pool or in the "
                    + "provisioner so new nodes get it too), and give GPU pods the matching toleration.",
            List.of("no equivalent in the general scanners (Kyverno protect-node-taints guards existing taints)"));

    private final GpuSettings settings;

    public GpuNodeWithoutTaint() {
        this(GpuSettings.DEFAULTS);
    }

    private GpuNodeWithoutTaint(GpuSettings settings) {
        super(INFO);
        this.settings = settings;
    }

    @Override
    public ManifestRule configured(RuleSettings ruleSettings) {
        return new GpuNodeWithoutTaint(GpuSettings.from(ruleSettings));
    }

    @Override
    public void check(Inventory inventory, Consumer<Finding> report) {
        for (KubeObject node : inventory.ofKind("Node")) {
            Optional<String> gpu = gpuEvidence(node);
            if (gpu.isEmpty() || fenced(node)) {
                continue;
            }
            YamlMap spec = node.spec();
            report.accept(finding(node.ref(), spec.get("taints") == null ? node.location() : spec.locationOf("taints"),
                    "GPU node " + node.name() + " (" + gpu.get() + ") has no NoSchedule or NoExecute taint",
                    "taints: " + spec.maps("taints").stream().map(t -> t.text("key") + ":" + t.text("effect")).toList()));
        }
    }

    private static boolean fenced(KubeObject node) {
        return node.spec().maps("taints").stream()
                .anyMatch(t -> "NoSchedule".equals(t.text("effect")) || "NoExecute".equals(t.text("effect")));
    }

    private Optional<String> gpuEvidence(KubeObject node) {
        YamlMap status = node.body().map("status");
        for (String section : List.of("capacity", "allocatable")) {
            YamlMap resources = status == null ? null : status.map(section);
            for (YamlMap.Entry e : resources == null ? List.<YamlMap.Entry>of() : resources.fields()) {
                if (Gpus.isGpu(e.key()) && !isZero(e.value().text())) {
                    return Optional.of(section + " " + e.key() + ": " + e.value().text());
                }
            }
        }
        for (Map.Entry<String, String> label : node.labels().entrySet()) {
            if (settings.isNodeLabel(label.getKey()) && !isZero(label.getValue()) && !"false".equals(label.getValue())) {
                return Optional.of("label " + label.getKey() + "=" + label.getValue());
            }
        }
        return Optional.empty();
    }

    private static boolean isZero(String quantity) {
        return quantity == null || quantity.trim().equals("0");
    }
}
