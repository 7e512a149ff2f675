package dev.moat.kube;

import static dev.moat.kube.KubeFixtures.objects;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InventoryTest {

    private final Inventory inventory = Inventory.of(objects("""
            apiVersion: v1
            kind: Namespace
            metadata:
              name: serving
              labels:
                team: ml
                pod-security.kubernetes.io/enforce: restricted
                kubernetes.io/metadata.name: wrong
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: empty}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: llm, namespace: serving}
            spec: {template: {spec: {containers: [{name: c, image: vllm/vllm-openai}]}}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: gateway, namespace: edge}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: no-namespace}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: reader}
            ---
            apiVersion: example.com/v1
            kind: Namespace
            metadata: {name: not-core}
            ---
            apiVersion: ray.io/v1
            kind: RayCluster
            metadata: {name: rc, namespace: ray}
            spec:
              headGroupSpec: {template: {spec: {containers: [{name: head, image: rayproject/ray}]}}}
              workerGroupSpecs:
              - groupName: gpu
                template: {spec: {containers: [{name: w, image: rayproject/ray}]}}
            """));

    @Test
    void declaredNamespacesKeepTheirLabelsPlusTheAutomaticOne() {
        NamespaceInfo serving = inventory.namespaces().get("serving");
        assertThat(serving.declared()).isTrue();
        assertThat(serving.labels()).isEqualTo(Map.of(
                "team", "ml",
                "pod-security.kubernetes.io/enforce", "restricted",
                NamespaceInfo.NAME_LABEL, "serving"));
        NamespaceInfo empty = inventory.namespaces().get("empty");
        assertThat(empty.declared()).isTrue();
        assertThat(empty.labels()).isEqualTo(Map.of(NamespaceInfo.NAME_LABEL, "empty"));
    }

    @Test
    void impliedNamespacesAreFlaggedNotDeclared() {
        assertThat(inventory.namespaces().keySet()).containsExactly("default", "edge", "empty", "ray", "serving");
        for (String ns : List.of("default", "edge", "ray")) {
            NamespaceInfo info = inventory.namespaces().get(ns);
            assertThat(info.declared()).as(ns).isFalse();
            assertThat(info.labels()).as(ns).isEqualTo(Map.of(NamespaceInfo.NAME_LABEL, ns));
        }
        // a custom resource that happens to be called Namespace declares nothing
        assertThat(inventory.namespaces()).doesNotContainKey("not-core");
        assertThat(inventory.namespaces()).doesNotContainKey("");
    }

    @Test
    void workloadsOfEveryObjectInOrder() {
        assertThat(inventory.workloads()).extracting(Workload::describe).containsExactly(
                "Deployment/serving/llm",
                "RayCluster/ray/rc [headGroupSpec]",
                "RayCluster/ray/rc [workerGroupSpecs[gpu]]");
        assertThat(inventory.objects()).hasSize(8);
        assertThat(inventory.ofKind("Namespace")).extracting(KubeObject::name).containsExactly("serving", "empty", "not-core");
        assertThat(inventory.ofKind("Secret")).isEmpty();
    }

    @Test
    void nothingInNothingOut() {
        Inventory none = Inventory.of(List.of());
        assertThat(none.objects()).isEmpty();
        assertThat(none.workloads()).isEmpty();
        assertThat(none.namespaces()).isEmpty();
    }
}
