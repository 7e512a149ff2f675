package dev.moat.audit.resources;

import dev.moat.audit.ContainerRule;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.util.List;
import java.util.Optional;

/** A container that downloads model weights onto the node's disk with no ceiling. */
public final class ModelDownloadWithoutEphemeralLimit extends ContainerRule {

    public ModelDownloadWithoutEphemeralLimit() {
        super(new RuleInfo("MOAT-RES-003", Severity.MEDIUM, "resources", "Model download without an ephemeral-storage limit",
                "Weights run from a few to hundreds of GiB. A container that downloads them at start-up (huggingface-cli, "
                        + "vllm serve of a hub ID, git lfs, object-store copies) writes to its writable layer or an "
                        + "emptyDir on the node's disk; without limits.ephemeral-storage a larger model, a wrong revision "
                        + "or a retry loop fills the disk, the node goes into DiskPressure and the kubelet evicts its "
                        + "neighbours. Applies to containers that visibly download models.",
                "Set resources.limits.ephemeral-storage (and a matching request) sized for the model plus cache, give "
                        + "the download directory an emptyDir with sizeLimit, or serve the model from a PVC or an OCI "
                        + "model image.",
                List.of("kube-linter container-ephemeral-storage-request-and-limit (generic, every container)",
                        "Kyverno require-emptydir-requests-limits")));
    }

    @Override
    protected void check(Workload workload, Container container, Reporter report) {
        if (container.type() == Container.Type.EPHEMERAL || limited(workload.pod().body()) || limited(container.body())) {
            return;
        }
        Optional<String> download = ModelDownloads.signal(container);
        download.ifPresent(how -> report.report(container.body().locationOf("resources"),
                "downloads a model at start-up (" + how + ") without limits.ephemeral-storage",
                "download: " + how + "; limits.ephemeral-storage unset"));
    }

    /** A container's, or (since pod-level resources) the pod's, ephemeral-storage limit. */
    private static boolean limited(YamlMap owner) {
        YamlMap limits = owner.path("resources", "limits");
        return limits != null && limits.text("ephemeral-storage") != null;
    }
}
