package dev.moat.kube;

import java.util.Set;

/** What Moat knows about kinds without a cluster to ask: which are cluster-scoped, which run pods. */
public final class KindCatalog {

    private static final Set<String> CLUSTER_SCOPED = Set.of(
            "Namespace", "Node", "PersistentVolume", "StorageClass", "CSIDriver", "CSINode", "VolumeAttachment",
            "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "APIService", "PriorityClass",
            "RuntimeClass", "IngressClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
            "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "CertificateSigningRequest",
            "AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterServingRuntime", "ClusterStorageContainer",
            "ClusterSecretStore", "ClusterExternalSecret", "ClusterIssuer", "ClusterPolicy", "ClusterTrainingRuntime",
            "SecurityContextConstraints", "NodeFeatureRule", "ClusterPolicyReport", "FlowSchema",
            "PriorityLevelConfiguration");

    /** Controllers whose pods come from {@code spec.template}. */
    public static final Set<String> TEMPLATE_CONTROLLERS = Set.of(
            "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController");

    private KindCatalog() {
    }

    public static boolean isClusterScoped(String kind) {
        return CLUSTER_SCOPED.contains(kind);
    }
}
