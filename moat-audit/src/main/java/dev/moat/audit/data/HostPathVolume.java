package dev.moat.audit.data;

import dev.moat.audit.PodRule;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/** A pod that mounts a directory of the node. */
public final class HostPathVolume extends PodRule {

    /** Container runtime sockets are the runtime family's finding; reporting them here too would count one field twice. */
    private static final Pattern RUNTIME_SOCKET = Pattern.compile("(docker|containerd|crio|cri-dockerd|podman)[^/]*\\.sock/?$");

    public HostPathVolume() {
        super(new RuleInfo("MOAT-DAT-002", Severity.MEDIUM, "data", "hostPath volume",
                "A hostPath volume reaches past the pod's storage into the node's file system: model weights or "
                        + "datasets kept on a node directory are readable by every pod that mounts it, outlive the "
                        + "workload with no access control or encryption, and a writable mount lets the pod plant files "
                        + "the node or the next tenant will run. Graded high when a container mounts it writable. "
                        + "Applies to every workload; node agents that need host paths are the expected exemptions.",
                "Serve weights and data from a PVC, an OCI model image or object storage; if a host path is "
                        + "unavoidable, mount it readOnly: true and restrict it to a specific directory.",
                List.of("kube-linter sensitive-host-mounts/writable-host-mount", "Polaris hostPathSet",
                        "Kubescape C-0048, C-0045", "Trivy KSV-0023, KSV-0121", "Kyverno disallow-host-path, "
                        + "ensure-readonly-hostpath")));
    }

    @Override
    protected void check(Workload workload, Reporter report) {
        for (YamlMap volume : workload.pod().volumes()) {
            YamlMap hostPath = volume.map("hostPath");
            String path = hostPath == null ? null : hostPath.text("path");
            if (path == null || RUNTIME_SOCKET.matcher(path).find()) {
                continue;
            }
            String name = volume.text("name");
            List<String> writers = writers(workload, name);
            String access = writers.isEmpty() ? "" : " writable in " + String.join(", ", writers);
            String problem = "volume '" + name + "' mounts host path " + path + access;
            String evidence = "hostPath.path: " + path + (hostPath.text("type") == null ? "" : ", type: " + hostPath.text("type"));
            if (writers.isEmpty()) {
                report.report(volume.locationOf("hostPath"), problem, evidence);
            } else {
                report.report(volume.locationOf("hostPath"), problem, evidence, Severity.HIGH);
            }
        }
    }

    private static List<String> writers(Workload workload, String volume) {
        List<String> out = new ArrayList<>();
        for (Container c : workload.pod().containers()) {
            boolean writes = c.body().maps("volumeMounts").stream()
                    .anyMatch(m -> Objects.equals(volume, m.text("name")) && !Boolean.TRUE.equals(m.bool("readOnly")));
            if (writes) {
                out.add(c.describe());
            }
        }
        return out;
    }
}
