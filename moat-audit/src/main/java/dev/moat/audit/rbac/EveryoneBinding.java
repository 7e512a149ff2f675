package dev.moat.audit.rbac;

import dev.moat.audit.DocumentedRule;
import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.kube.Inventory;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** A binding whose subject is everyone: anonymous callers, every authenticated user, every service account. */
final class EveryoneBinding extends DocumentedRule {

    /** The discovery roles the API server itself binds to these groups. */
    private static final Set<String> PUBLIC_ROLES = Set.of("system:public-info-viewer", "system:discovery",
            "system:basic-user", "system:service-account-issuer-discovery");

    EveryoneBinding() {
        super(new RuleInfo("MOAT-RBC-009", Severity.CRITICAL, "rbac",
                "Role bound to anonymous, unauthenticated or all authenticated users",
                "system:anonymous and system:unauthenticated are anyone who can reach the API server; system:authenticated is "
                        + "every user and every service account token, including the one mounted in each inference pod; "
                        + "system:serviceaccounts is every service account. A role bound to them is granted to the whole "
                        + "cluster, so one compromised model server inherits it. Critical for anonymous access, high for the "
                        + "authenticated groups. The API server's own discovery bindings are not reported.",
                "Bind the role to the users, groups or service accounts that need it instead of the system groups.",
                List.of("kubesec BindingsToSystemAnonymous", "Trivy KSV-0122, KSV-0123, KSV-01011",
                        "Kyverno restrict-binding-system-groups", "Krane unauthenticated-subject-access")));
    }

    @Override
    public void check(Inventory inventory, Consumer<Finding> report) {
        for (Binding b : RbacModel.of(inventory).bindings()) {
            if (b.isDefault() || PUBLIC_ROLES.contains(b.roleName())) {
                continue;
            }
            for (Subject s : b.subjects()) {
                if (!s.isEveryone()) {
                    continue;
                }
                Finding f = finding(b.source().ref(), s.location(),
                        b.describe() + " grants " + b.roleKind() + " " + b.roleName() + " to " + s.describe()
                                + (b.isClusterWide() ? " in every namespace" : " in namespace " + b.namespace()),
                        s.kind() + " " + s.name() + " -> " + b.roleKind() + " " + b.roleName());
                report.accept(Subject.UNAUTHENTICATED.contains(s.name()) ? f : f.withSeverity(Severity.HIGH));
            }
        }
    }
}
