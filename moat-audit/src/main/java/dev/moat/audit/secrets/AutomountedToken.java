package dev.moat.audit.secrets;

import dev.moat.audit.DocumentedRule;
import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.AiWorkloads;
import dev.moat.kube.Inventory;
import dev.moat.kube.KubeObject;
import dev.moat.kube.Workload;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * An AI workload that gets a service-account token although nothing in the inputs lets that account
 * call the API. Model servers and trainers run user-supplied models, prompts and tools; a token in the
 * pod turns a code-execution bug there into API access.
 *
 * <p>The pod's {@code automountServiceAccountToken} wins over the ServiceAccount's, and both default to
 * true. An account that a RoleBinding or ClusterRoleBinding in the inputs names is taken to need the
 * API, as is a KubeRay head running the in-tree autoscaler (the operator grants it a Role at runtime).
 */
public final class AutomountedToken extends DocumentedRule {

    private static final RuleInfo INFO = new RuleInfo("MOAT-SEC-009", Severity.MEDIUM, "secrets",
            "Service-account token automounted into an AI workload",
            "Inference servers and training jobs execute model code, pickle files and agent tools; many load remote "
                    + "code. When such a pod has a service-account token mounted, one exploit gives the attacker "
                    + "Kubernetes API credentials (to list Secrets, read model weights, or start pods on GPU nodes) "
                    + "instead of a sandboxed process. Most model servers never call the API.",
            "Set automountServiceAccountToken: false on the pod spec (or on a dedicated ServiceAccount). If the "
                    + "workload does call the API, give it its own ServiceAccount with a RoleBinding for just that.",
            List.of("Polaris automountServiceAccountToken", "Kubescape C-0034, C-0190", "Checkov CKV_K8S_38",
                    "kubesec AutomountServiceAccountToken", "Trivy KSV-0036", "Kyverno restrict-automount-sa-token",
                    "Datree SRVACC_INCORRECT_AUTOMOUNTSERVICEACCOUNTTOKEN_VALUE"));

    public AutomountedToken() {
        super(INFO);
    }

    private static final String FIELD = "automountServiceAccountToken";
    /**
     * KServe pod templates: their spec has no automount or service-account field, so the setting
     * belongs to the InferenceService that uses them, which is reported instead.
     */
    private static final Set<String> KSERVE_TEMPLATES = Set.of("ServingRuntime", "ClusterServingRuntime",
            "LLMInferenceServiceConfig");

    @Override
    public void check(Inventory inventory, Consumer<Finding> report) {
        for (Workload w : inventory.workloads()) {
            if (w.owner().group().equals("serving.kserve.io") && KSERVE_TEMPLATES.contains(w.owner().kind())) {
                continue;
            }
            String account = w.pod().serviceAccountName();
            if (!mountsToken(w, serviceAccount(inventory, w.namespace(), account)) || isBound(inventory, w.namespace(), account)
                    || runsRayAutoscaler(w) || !AiWorkloads.isAi(w)) {
                continue;
            }
            YamlMap pod = w.pod().body();
            String at = pod.get(FIELD) != null ? FIELD : "serviceAccountName";
            report.accept(finding(w.ref(), pod.locationOf(at),
                    "pod of " + w.describe() + " mounts a token for service account " + account
                            + " that no RoleBinding or ClusterRoleBinding in the inputs binds",
                    "serviceAccountName: " + account + ", " + FIELD + ": " + (pod.get(FIELD) != null ? pod.text(FIELD)
                            : "unset (default true)")));
        }
    }

    private static boolean mountsToken(Workload w, Optional<KubeObject> account) {
        Boolean onPod = w.pod().body().bool(FIELD);
        if (onPod != null) {
            return onPod;
        }
        return account.map(sa -> sa.body().bool(FIELD)).orElse(true);
    }

    private static Optional<KubeObject> serviceAccount(Inventory inventory, String namespace, String name) {
        return inventory.ofKind("ServiceAccount").stream()
                .filter(sa -> sa.namespace().equals(namespace) && sa.name().equals(name)).findFirst();
    }

    private static boolean isBound(Inventory inventory, String namespace, String account) {
        return inventory.objects().stream()
                .filter(o -> o.group().equals("rbac.authorization.k8s.io")
                        && (o.kind().equals("RoleBinding") || o.kind().equals("ClusterRoleBinding")))
                .anyMatch(b -> b.body().maps("subjects").stream().anyMatch(s -> "ServiceAccount".equals(s.text("kind"))
                        && account.equals(s.text("name"))
                        && namespace.equals(s.text("namespace") != null ? s.text("namespace") : b.namespace())));
    }

    /** The head of a RayCluster, or of the cluster a RayService/RayJob embeds, with autoscaling on. */
    private static boolean runsRayAutoscaler(Workload w) {
        int head = w.component().indexOf("headGroupSpec");
        if (!w.owner().group().equals("ray.io") || head < 0) {
            return false;
        }
        YamlMap cluster = w.owner().spec();
        for (String key : w.component().substring(0, head).split("\\.")) {
            cluster = key.isEmpty() || cluster == null ? cluster : cluster.map(key);
        }
        return cluster != null && Boolean.TRUE.equals(cluster.bool("enableInTreeAutoscaling"));
    }
}
