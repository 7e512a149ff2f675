package dev.moat.audit.rules;

import dev.moat.audit.ContainerRule;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.util.List;

/** allowPrivilegeEscalation defaults to true, so it must be switched off explicitly. */
public final class PrivilegeEscalation extends ContainerRule {

    public PrivilegeEscalation() {
        super(new RuleInfo("MOAT-RUN-002", Severity.MEDIUM, "runtime", "Privilege escalation not disabled",
                "Unless allowPrivilegeEscalation is false, a process in the container can gain more privileges than "
                        + "its parent (setuid binaries, file capabilities), turning a code-execution bug in a model server "
                        + "or a poisoned model into root in the container.",
                "Set securityContext.allowPrivilegeEscalation: false on every container.",
                List.of("kube-linter privilege-escalation-container", "Polaris privilegeEscalationAllowed",
                        "Kubescape C-0016", "Checkov CKV_K8S_20", "Trivy KSV-0001", "Kyverno disallow-privilege-escalation")));
    }

    @Override
    protected void check(Workload workload, Container container, Reporter report) {
        YamlMap sc = container.securityContext();
        if (sc == null) {
            report.report(container.location(), "allowPrivilegeEscalation is not set (it defaults to true)",
                    "no securityContext");
        } else if (!Boolean.FALSE.equals(sc.bool("allowPrivilegeEscalation"))) {
            boolean absent = sc.get("allowPrivilegeEscalation") == null;
            report.report(absent ? container.body().locationOf("securityContext") : sc.locationOf("allowPrivilegeEscalation"),
                    absent ? "allowPrivilegeEscalation is not set (it defaults to true)" : "allows privilege escalation",
                    absent ? "securityContext without allowPrivilegeEscalation" : "allowPrivilegeEscalation: "
                            + sc.text("allowPrivilegeEscalation"));
        }
    }
}
