package dev.moat.audit.runtime;

import dev.moat.audit.DocumentedRule;
import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.SourceLocation;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.AiWorkloads;
import dev.moat.kube.Container;
import dev.moat.kube.Inventory;
import dev.moat.kube.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The seccomp profile each container runs with, resolved container-first as the kubelet does. Two
 * rules share it: an explicit {@code Unconfined} profile (at the field that sets it, once even when a
 * pod-level setting covers several containers) and no profile at all (once per pod, graded medium on
 * AI workloads). Privileged containers run unconfined whatever is set and are left to MOAT-RUN-001.
 */
public final class Seccomp extends DocumentedRule {

    private final boolean unconfined;

    private Seccomp(RuleInfo info, boolean unconfined) {
        super(info);
        this.unconfined = unconfined;
    }

    public static Seccomp unconfined() {
        return new Seccomp(new RuleInfo("MOAT-RUN-008", Severity.MEDIUM, "runtime", "Seccomp profile set to Unconfined",
                "An Unconfined seccomp profile switches off the syscall filter the runtime would otherwise apply, "
                        + "exposing the whole kernel attack surface (including rarely used syscalls behind most container "
                        + "escapes) to code running in the model server.",
                "Use seccompProfile.type: RuntimeDefault (or a Localhost profile) at pod level and remove the "
                        + "Unconfined setting.",
                List.of("kubesec SeccompUnconfined", "Kubescape C-0055", "Checkov CKV_K8S_31", "Trivy KSV-0104",
                        "Kyverno restrict-seccomp")), true);
    }

    public static Seccomp missing() {
        return new Seccomp(new RuleInfo("MOAT-RUN-009", Severity.LOW, "runtime", "No seccomp profile",
                "Without a seccompProfile the container runs Unconfined unless the kubelet was started with "
                        + "--seccomp-default, which is off by default. The restricted Pod Security profile requires "
                        + "RuntimeDefault or Localhost. Graded medium on AI workloads, which execute third-party code "
                        + "shipped with models.",
                "Set securityContext.seccompProfile.type: RuntimeDefault in the pod spec.",
                List.of("kube-score container-seccomp-profile", "Polaris linuxHardening", "Kubescape C-0210",
                        "Checkov CKV_K8S_31", "kubesec SeccompAny", "Trivy KSV-0030", "Kyverno restrict-seccomp-strict")),
                false);
    }

    @Override
    public void check(Inventory inventory, Consumer<Finding> report) {
        for (Workload w : inventory.workloads()) {
            if (unconfined) {
                reportUnconfined(w, report);
            } else {
                reportMissing(w, report);
            }
        }
    }

    private void reportUnconfined(Workload w, Consumer<Finding> report) {
        YamlMap podSc = w.pod().securityContext();
        YamlMap podProfile = podSc == null ? null : podSc.map("seccompProfile");
        boolean podInherited = false;
        for (Container c : w.pod().containers()) {
            YamlMap profile = SecurityFields.seccompProfile(w.pod(), c);
            if (SecurityFields.privileged(c) || profile == null || !"Unconfined".equals(profile.text("type"))) {
                continue;
            }
            if (profile == podProfile) {
                podInherited = true;
            } else {
                report.accept(finding(w.ref(), profile.locationOf("type"), c.describe() + suffix(w)
                        + ": seccomp profile is Unconfined", "seccompProfile.type: Unconfined"));
            }
        }
        if (podInherited) {
            report.accept(finding(w.ref(), podProfile.locationOf("type"), SecurityFields.describe(w.component())
                    + ": seccomp profile is Unconfined", "seccompProfile.type: Unconfined"));
        }
    }

    private void reportMissing(Workload w, Consumer<Finding> report) {
        List<String> uncovered = new ArrayList<>();
        for (Container c : w.pod().containers()) {
            if (!SecurityFields.privileged(c) && SecurityFields.seccompProfile(w.pod(), c) == null) {
                uncovered.add(c.name());
            }
        }
        if (uncovered.isEmpty()) {
            return;
        }
        YamlMap podSc = w.pod().securityContext();
        SourceLocation at = podSc != null ? w.pod().body().locationOf("securityContext") : w.pod().body().location();
        Finding f = finding(w.ref(), at, SecurityFields.describe(w.component()) + " sets no seccompProfile for "
                + (uncovered.size() == 1 ? "container " : "containers ") + String.join(", ", uncovered),
                "seccompProfile unset");
        report.accept(AiWorkloads.isAi(w) ? f.withSeverity(Severity.MEDIUM) : f);
    }

    private static String suffix(Workload w) {
        return w.component().isEmpty() ? "" : " in " + w.component();
    }
}
