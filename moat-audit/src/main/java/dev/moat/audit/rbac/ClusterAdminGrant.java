package dev.moat.audit.rbac;

import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.kube.Inventory;
import java.util.List;
import java.util.Optional;

/** cluster-admin, or any role with every verb on every resource, held by someone outside the platform. */
final class ClusterAdminGrant extends GrantRule {

    ClusterAdminGrant(Platform platform) {
        super(new RuleInfo("MOAT-RBC-001", Severity.CRITICAL, "rbac", "Full access bound to a non-platform subject",
                "A subject with every verb on every resource reads every model credential and Hugging Face token, "
                        + "execs into every inference pod, schedules anything on the GPU nodes and rewrites RBAC to keep its "
                        + "access. Through a ClusterRoleBinding this is the whole cluster (critical); through a RoleBinding it is "
                        + "the whole namespace, its secrets, service accounts and bindings included (high). Subjects named "
                        + "system:* and those listed in settings.platformSubjects are exempt.",
                "Bind a role that lists the resources and verbs the subject needs (edit or view for people, a "
                        + "purpose-built role for controllers); keep cluster-admin for break-glass accounts listed in "
                        + "settings.platformSubjects.",
                List.of("kube-linter cluster-admin-role-binding", "Polaris clusterrolebindingClusterAdmin, rolebindingClusterAdminClusterRole",
                        "Kubescape C-0035, C-0185", "Trivy KSV-0111", "Kyverno restrict-binding-clusteradmin",
                        "Datree CIS_INVALID_ROLE_CLUSTER_ADMIN")), platform);
    }

    @Override
    GrantRule withPlatform(Platform platform) {
        return new ClusterAdminGrant(platform);
    }

    @Override
    boolean skipsFullAccess() {
        return false;
    }

    @Override
    Optional<Risk> risk(Grant grant, Inventory inventory) {
        return grant.rules().stream().filter(PolicyRule::isFullAccess).findFirst()
                .map(r -> new Risk("do anything " + grant.scope() + " (* verbs on * resources)", r,
                        grant.clusterWide() ? null : Severity.HIGH));
    }
}
