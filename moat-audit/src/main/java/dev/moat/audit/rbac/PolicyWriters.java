package dev.moat.audit.rbac;

import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.kube.Inventory;
import java.util.List;
import java.util.Optional;

/** Changing NetworkPolicies or RBAC objects: the controls that contain everything else. */
final class PolicyWriters extends GrantRule {

    private static final String RBAC = "rbac.authorization.k8s.io";
    private static final List<Permission> WRITES = Permission.concat(
            Permission.namespaced("networking.k8s.io", List.of("networkpolicies"), Permission.WRITE_VERBS),
            Permission.namespaced(RBAC, List.of("roles", "rolebindings"), Permission.WRITE_VERBS),
            Permission.all(RBAC, List.of("clusterroles", "clusterrolebindings"), Permission.WRITE_VERBS, true, false));

    PolicyWriters(Platform platform) {
        super(new RuleInfo("MOAT-RBC-004", Severity.HIGH, "rbac", "Non-platform subject can change NetworkPolicies or RBAC",
                "Whoever can write NetworkPolicies can open an inference server or a training job's egress to the internet; "
                        + "whoever can write Roles and bindings can grant themselves, or a workload's service account, more "
                        + "rights (within the limits of escalation prevention). These belong to the platform team and its "
                        + "controllers, not to application or model-serving identities.",
                "Remove create/update/patch/delete on networkpolicies, roles, rolebindings, clusterroles and "
                        + "clusterrolebindings from the role, or list the subject in settings.platformSubjects if it is a "
                        + "platform controller.",
                List.of("rbac-tool \"Networking\" and \"Role Binding\" analysis rules", "KubiScan rolebindings create",
                        "Krane subjects-with-rbac-management")), platform);
    }

    @Override
    GrantRule withPlatform(Platform platform) {
        return new PolicyWriters(platform);
    }

    @Override
    Optional<Risk> risk(Grant grant, Inventory inventory) {
        return granted(grant, WRITES, "change network isolation or RBAC " + grant.scope());
    }
}
