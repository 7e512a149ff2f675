package dev.moat.audit.rbac;

import dev.moat.audit.DocumentedRule;
import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.kube.Inventory;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** A role rule with {@code *} verbs or resources, reported where the wildcard is written. */
final class Wildcards extends DocumentedRule {

    /** Groups whose wildcard covers secrets, pods, RBAC or everything. */
    private static final Set<String> SENSITIVE_GROUPS = Set.of(PolicyRule.ALL, "", "apps", "batch", "rbac.authorization.k8s.io");

    Wildcards() {
        super(new RuleInfo("MOAT-RBC-002", Severity.HIGH, "rbac", "Wildcard verbs or resources in a role",
                "A * in verbs grants escalate, bind, impersonate and delete along with what was meant; a * in resources covers "
                        + "secrets, pods/exec and every subresource, and every resource a future operator adds to the group. Rules "
                        + "written this way silently grow with the cluster. Graded medium when the rule names only API groups "
                        + "other than core, apps, batch and RBAC (an operator's own custom resources). Roles the API server ships "
                        + "(system:*, bootstrapping label) are not reported.",
                "List the verbs and resources the subject needs; kubectl auth can-i --list or an audit log shows which are used.",
                List.of("kube-linter wildcard-in-rules", "Kubescape C-0187", "Checkov CKV_K8S_49", "Trivy KSV-0044, KSV-0045, KSV-0046",
                        "Kyverno restrict-wildcard-verbs, restrict-wildcard-resources", "Datree CIS_INVALID_WILDCARD_ROLE")));
    }

    @Override
    public void check(Inventory inventory, Consumer<Finding> report) {
        for (Role role : RbacModel.of(inventory).roles()) {
            if (role.isDefault()) {
                continue;
            }
            for (PolicyRule rule : role.rules()) {
                String field = rule.verbs().contains(PolicyRule.ALL) ? "verbs"
                        : rule.resources().contains(PolicyRule.ALL) ? "resources" : null;
                if (field == null) {
                    continue;
                }
                Finding f = finding(role.source().ref(), rule.source().locationOf(field),
                        role.describe() + " grants * " + field + " (" + rule.describe() + ")", field + ": [\"*\"]");
                boolean sensitive = rule.apiGroups().stream().anyMatch(SENSITIVE_GROUPS::contains);
                report.accept(sensitive ? f : f.withSeverity(Severity.MEDIUM));
            }
        }
    }
}
