package dev.moat.kube;

import dev.moat.core.ObjectRef;
import java.util.Map;

/**
 * Pods some object will run: a Pod itself, a controller's pod template, or one component of a custom
 * resource (a KubeRay worker group, a KServe predictor). {@code component} is empty for objects with
 * a single pod template and otherwise names where in the object the pod spec sits.
 */
public record Workload(KubeObject owner, String component, Map<String, String> podLabels,
                       Map<String, String> podAnnotations, PodSpec pod) {

    public Workload {
        podLabels = Map.copyOf(podLabels);
        podAnnotations = Map.copyOf(podAnnotations);
    }

    public ObjectRef ref() {
        return owner.ref();
    }

    public String namespace() {
        return owner.namespace();
    }

    /** {@code Deployment/ml/llm} or {@code RayCluster/ml/ray [workerGroupSpecs[0]]}. */
    public String describe() {
        return component.isEmpty() ? ref().toString() : ref() + " [" + component + "]";
    }
}
