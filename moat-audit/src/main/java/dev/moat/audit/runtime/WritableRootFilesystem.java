package dev.moat.audit.runtime;

import dev.moat.audit.ContainerRule;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.util.List;

/** readOnlyRootFilesystem is not true. Applies to all workloads, graded medium on AI workloads. */
public final class WritableRootFilesystem extends ContainerRule {

    public WritableRootFilesystem() {
        super(new RuleInfo("MOAT-RUN-007", Severity.LOW, "runtime", "Root filesystem is writable",
                "A writable root filesystem lets code that gained execution in the container (a malicious pickle, remote "
                        + "model code, an exploited server) rewrite the server's Python packages, drop tools and persist "
                        + "across process restarts. Model servers are graded medium: they execute code shipped with "
                        + "models and rarely need to write outside a cache directory.",
                "Set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes where the process writes "
                        + "(/tmp, the HF_HOME or model cache directory).",
                List.of("kube-linter no-read-only-root-fs", "kube-score container-security-context-readonlyrootfilesystem",
                        "Polaris notReadOnlyRootFilesystem", "Kubescape C-0017", "Checkov CKV_K8S_22",
                        "kubesec ReadOnlyRootFilesystem", "Trivy KSV-0014", "Kyverno require-ro-rootfs")));
    }

    @Override
    protected void check(Workload workload, Container container, Reporter report) {
        YamlMap sc = container.securityContext();
        Boolean readOnly = sc == null ? null : sc.bool("readOnlyRootFilesystem");
        if (!Boolean.TRUE.equals(readOnly)) {
            boolean set = sc != null && sc.get("readOnlyRootFilesystem") != null;
            report.reportGradedForAi(SecurityFields.missingAt(container, "securityContext", "readOnlyRootFilesystem"),
                    set ? "root filesystem is writable (readOnlyRootFilesystem: " + sc.text("readOnlyRootFilesystem") + ")"
                            : "readOnlyRootFilesystem is not set (the root filesystem is writable)",
                    set ? "readOnlyRootFilesystem: " + sc.text("readOnlyRootFilesystem") : "readOnlyRootFilesystem unset",
                    Severity.MEDIUM);
        }
    }
}
