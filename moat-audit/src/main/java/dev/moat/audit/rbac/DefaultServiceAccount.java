package dev.moat.audit.rbac;

import dev.moat.audit.DocumentedRule;
import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.AiWorkloads;
import dev.moat.kube.Inventory;
import dev.moat.kube.Workload;
import java.util.List;
import java.util.function.Consumer;

/** An AI workload that runs as its namespace's default service account with a token mounted. */
final class DefaultServiceAccount extends DocumentedRule {

    private static final String DEFAULT = "default";

    DefaultServiceAccount() {
        super(new RuleInfo("MOAT-RBC-008", Severity.LOW, "rbac", "AI workload runs as the default service account",
                "Every pod that names no service account runs as default, so whatever is granted to default (often by a "
                        + "tutorial's RoleBinding) is granted to each of them, and a compromised model server holds the same "
                        + "token as every other pod of the namespace. Graded high when the inputs bind a role to that default "
                        + "service account. Applies to AI workloads only; pods with automountServiceAccountToken: false hold no "
                        + "token and are not reported, nor KServe serving-runtime templates (the InferenceService picks the account).",
                "Create a service account per AI workload (automountServiceAccountToken: false unless it calls the API) and "
                        + "set serviceAccountName.",
                List.of("kube-linter default-service-account", "Kubescape C-0189", "Checkov CKV_K8S_41, CKV_K8S_42",
                        "Kyverno restrict-service-account")));
    }

    @Override
    public void check(Inventory inventory, Consumer<Finding> report) {
        List<Grant> grants = RbacModel.of(inventory).grants();
        for (Workload w : inventory.workloads()) {
            YamlMap pod = w.pod().body();
            if (isTemplate(w) || !w.pod().serviceAccountName().equals(DEFAULT) || Boolean.FALSE.equals(pod.bool("automountServiceAccountToken"))
                    || !AiWorkloads.isAi(w)) {
                continue;
            }
            List<Grant> toDefault = grants.stream().filter(g -> grantsDefaultOf(g, w.namespace())).toList();
            String where = w.component().isEmpty() ? "" : " (" + w.component() + ")";
            String evidence = toDefault.isEmpty() ? "serviceAccountName: default"
                    : "serviceAccountName: default, bound by " + String.join(", ",
                            toDefault.stream().map(g -> g.binding().describe() + " -> " + g.role().describe()).toList());
            Finding f = finding(w.ref(), pod.locationOf(pod.entry("serviceAccountName") == null ? "serviceAccount" : "serviceAccountName"),
                    "AI pod" + where + " runs as service account " + w.namespace() + "/default with its token mounted"
                            + (toDefault.isEmpty() ? "" : ", and the inputs grant that account rights"),
                    evidence);
            report.accept(toDefault.isEmpty() ? f : f.withSeverity(Severity.HIGH));
        }
    }

    /** Serving-runtime templates: the InferenceService that uses them picks the service account. */
    private static boolean isTemplate(Workload w) {
        return w.namespace().isEmpty() || w.owner().kind().endsWith("ServingRuntime");
    }

    private static boolean grantsDefaultOf(Grant g, String namespace) {
        Subject s = g.subject();
        return s.homeNamespace().equals(namespace) && (!s.isServiceAccount() || s.name().equals(DEFAULT));
    }
}
