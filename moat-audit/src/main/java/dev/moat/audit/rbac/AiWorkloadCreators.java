package dev.moat.audit.rbac;

import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.kube.AiWorkloads;
import dev.moat.kube.Inventory;
import dev.moat.kube.Workload;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/** Creating pods, or objects that create pods, where AI workloads run. */
final class AiWorkloadCreators extends GrantRule {

    private static final List<String> CREATE = List.of("create");
    private static final List<Permission> WORKLOADS = Permission.concat(
            Permission.namespaced("", List.of("pods", "replicationcontrollers"), CREATE),
            Permission.namespaced("apps", List.of("deployments", "statefulsets", "daemonsets", "replicasets"), CREATE),
            Permission.namespaced("batch", List.of("jobs", "cronjobs"), CREATE),
            Permission.namespaced("ray.io", List.of("rayclusters", "rayjobs", "rayservices"), CREATE),
            Permission.namespaced("serving.kserve.io", List.of("inferenceservices"), CREATE));

    AiWorkloadCreators(Platform platform) {
        super(new RuleInfo("MOAT-RBC-007", Severity.HIGH, "rbac", "Subject can create pods in a namespace running AI workloads",
                "Creating a pod (directly, or through a Deployment, Job, RayCluster or InferenceService) lets the creator "
                        + "run it as any service account of the namespace and mount any of its Secrets and volumes: the model "
                        + "servers' hub tokens, the training data claims, the GPU quota. In a namespace that runs AI workloads "
                        + "this is access to all of them.",
                "Let a CI or GitOps identity listed in settings.platformSubjects create workloads in AI namespaces; give "
                        + "people and applications view, or a role limited to the objects they own.",
                List.of("kube-linter access-to-create-pods", "Trivy KSV-0048", "Datree CIS_INVALID_VALUE_CREATE_POD",
                        "rbac-tool \"Workload Creators & Editors\"")), platform);
    }

    @Override
    GrantRule withPlatform(Platform platform) {
        return new AiWorkloadCreators(platform);
    }

    @Override
    Optional<Risk> risk(Grant grant, Inventory inventory) {
        TreeSet<String> aiNamespaces = new TreeSet<>();
        for (Workload w : inventory.workloads()) {
            if ((grant.clusterWide() || w.namespace().equals(grant.namespace())) && AiWorkloads.isAi(w)) {
                aiNamespaces.add(w.namespace());
            }
        }
        if (aiNamespaces.isEmpty()) {
            return Optional.empty();
        }
        return granted(grant, WORKLOADS, "create workloads in AI namespace" + (aiNamespaces.size() > 1 ? "s " : " ")
                + String.join(", ", aiNamespaces));
    }
}
