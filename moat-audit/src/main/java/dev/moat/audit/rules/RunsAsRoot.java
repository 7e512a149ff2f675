package dev.moat.audit.rules;

import dev.moat.audit.ContainerRule;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.SourceLocation;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.util.List;

/**
 * A container may run as root unless runAsNonRoot is true or runAsUser is non-zero, at container
 * level or, failing that, pod level (the container's setting wins, as the kubelet applies it).
 */
public final class RunsAsRoot extends ContainerRule {

    public RunsAsRoot() {
        super(new RuleInfo("MOAT-RUN-003", Severity.MEDIUM, "runtime", "Container may run as root",
                "Most inference images run as root by default. Root in the container shares the kernel with the node "
                        + "and with GPU drivers; a container escape or a writable hostPath then becomes root on the node.",
                "Set securityContext.runAsNonRoot: true and a non-zero runAsUser at pod or container level, and build "
                        + "images with a numeric non-root USER.",
                List.of("kube-linter run-as-non-root", "Polaris runAsRootAllowed", "Kubescape C-0013",
                        "Checkov CKV_K8S_23", "Trivy KSV-0012", "Kyverno require-run-as-nonroot")));
    }

    @Override
    protected void check(Workload workload, Container container, Reporter report) {
        YamlMap own = container.securityContext();
        YamlMap pod = workload.pod().securityContext();
        Setting user = Setting.of("runAsUser", own, pod);
        Setting nonRoot = Setting.of("runAsNonRoot", own, pod);
        if (user.value() != null && user.value().equals("0")) {
            report.report(user.location(), "runs as root (runAsUser: 0)", "runAsUser: 0");
            return;
        }
        boolean nonRootEnforced = "true".equalsIgnoreCase(String.valueOf(nonRoot.value()));
        boolean nonZeroUser = user.value() != null && !user.value().equals("0");
        if (!nonRootEnforced && !nonZeroUser) {
            SourceLocation at = nonRoot.value() != null ? nonRoot.location() : container.body().locationOf("securityContext");
            report.report(at, "may run as root: neither runAsNonRoot: true nor a non-zero runAsUser is set",
                    nonRoot.value() == null ? "runAsNonRoot unset" : "runAsNonRoot: " + nonRoot.value());
        }
    }

    /** A security-context field resolved container-first, with where it was set. */
    private record Setting(String value, SourceLocation location) {
        static Setting of(String key, YamlMap container, YamlMap pod) {
            for (YamlMap m : new YamlMap[] {container, pod}) {
                if (m != null && m.get(key) != null) {
                    return new Setting(m.text(key), m.locationOf(key));
                }
            }
            return new Setting(null, null);
        }
    }
}
