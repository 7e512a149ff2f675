package dev.moat.audit.resources;

import dev.moat.audit.PodRule;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.util.List;
import java.util.Objects;

/** A tmpfs volume (typically /dev/shm for NCCL and PyTorch data loaders) with no size cap. */
public final class MemoryVolumeWithoutSizeLimit extends PodRule {

    public MemoryVolumeWithoutSizeLimit() {
        super(new RuleInfo("MOAT-RES-002", Severity.MEDIUM, "resources", "Memory-backed emptyDir without sizeLimit",
                "Model servers and distributed training mount an emptyDir with medium: Memory at /dev/shm for NCCL and "
                        + "data-loader shared memory. Without sizeLimit the tmpfs may grow to the pod's memory limit, or to "
                        + "the node's memory when there is none: a runaway writer then OOM-kills the model it sits next "
                        + "to, or the node's other tenants, instead of failing on a full disk. Applies to every workload.",
                "Set emptyDir.sizeLimit on every medium: Memory volume (a few GiB is typical for /dev/shm) and keep it "
                        + "within the container's memory limit.",
                List.of("Kyverno add-emptydir-sizelimit (mutation)", "no validating equivalent in the general scanners")));
    }

    @Override
    protected void check(Workload workload, Reporter report) {
        for (YamlMap volume : workload.pod().volumes()) {
            YamlMap emptyDir = volume.map("emptyDir");
            if (emptyDir != null && "Memory".equals(emptyDir.text("medium")) && emptyDir.text("sizeLimit") == null) {
                String name = volume.text("name");
                List<String> paths = mountPaths(workload, name);
                report.report(emptyDir.locationOf("medium"), "volume '" + name + "'"
                                + (paths.isEmpty() ? "" : " (mounted at " + String.join(", ", paths) + ")")
                                + " is a memory-backed emptyDir without sizeLimit",
                        "emptyDir: {medium: Memory}, no sizeLimit");
            }
        }
    }

    private static List<String> mountPaths(Workload workload, String volume) {
        return workload.pod().containers().stream()
                .flatMap((Container c) -> c.body().maps("volumeMounts").stream())
                .filter(m -> Objects.equals(volume, m.text("name")))
                .map(m -> m.text("mountPath")).filter(Objects::nonNull).distinct().toList();
    }
}
