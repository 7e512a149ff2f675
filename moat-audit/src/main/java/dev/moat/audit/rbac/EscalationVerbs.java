package dev.moat.audit.rbac;

import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.kube.Inventory;
import java.util.List;
import java.util.Optional;

/** escalate, bind and impersonate: the verbs that bypass RBAC's own escalation checks. */
final class EscalationVerbs extends GrantRule {

    private static final String RBAC = "rbac.authorization.k8s.io";
    private static final List<Permission> VERBS = Permission.concat(
            Permission.all(RBAC, List.of("roles"), List.of("escalate", "bind"), false, true),
            Permission.all(RBAC, List.of("clusterroles"), List.of("escalate", "bind"), true, true),
            Permission.all("", List.of("serviceaccounts"), List.of("impersonate"), false, true),
            Permission.all("", List.of("users", "groups"), List.of("impersonate"), true, true));

    EscalationVerbs(Platform platform) {
        super(new RuleInfo("MOAT-RBC-006", Severity.CRITICAL, "rbac", "Subject can escalate, bind or impersonate",
                "escalate lets a subject write roles with rights it does not hold, bind lets it bind roles it does not "
                        + "hold, and impersonate lets it act as another user, group or service account. Each turns a narrow "
                        + "identity, such as a notebook's or a model server's service account, into any identity it can name. "
                        + "Reported even when the rule is limited to named objects, since one named role or user is enough.",
                "Remove the escalate, bind and impersonate verbs (and * verbs on roles, clusterroles, users, groups and "
                        + "serviceaccounts) from the role; grant bind only on the specific roles a delegated admin may hand out.",
                List.of("Kubescape C-0191", "Checkov CKV_K8S_157, CKV_K8S_158, CKV2_K8S_3", "Trivy KSV-0043, KSV-0050",
                        "Kyverno restrict-escalation-verbs-roles", "Datree CIS_INVALID_VALUE_BIND_IMPERSONATE_ESCALATE")),
                platform);
    }

    @Override
    GrantRule withPlatform(Platform platform) {
        return new EscalationVerbs(platform);
    }

    @Override
    Optional<Risk> risk(Grant grant, Inventory inventory) {
        return granted(grant, VERBS, "escalate its own rights " + grant.scope());
    }
}
