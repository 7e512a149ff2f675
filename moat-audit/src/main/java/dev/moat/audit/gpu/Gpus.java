package dev.moat.audit.gpu;

import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.AiWorkloads;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.util.List;
import java.util.Optional;

/** What the GPU rules read from pods: GPU requests and how tolerations meet taints. */
final class Gpus {

    private Gpus() {
    }

    /**
     * GPUs proper: TPUs, Gaudi and Neuron devices are accelerators too, but their nodes are fenced by their
     * own operators' conventions, so the GPU taint and pool settings say nothing about them.
     */
    static boolean isGpu(String resourceName) {
        return resourceName.equals("nvidia.com/gpu") || resourceName.startsWith("nvidia.com/mig-")
                || resourceName.equals("amd.com/gpu") || resourceName.startsWith("gpu.intel.com/");
    }

    static List<String> gpuResources(Container c) {
        return AiWorkloads.acceleratorResources(c).stream().filter(Gpus::isGpu).toList();
    }

    /** The first GPU any regular or init container of the pod asks for, with the container. */
    static Optional<String> firstGpuRequest(Workload w) {
        for (Container c : w.pod().containers()) {
            List<String> gpus = gpuResources(c);
            if (!gpus.isEmpty() && c.type() != Container.Type.EPHEMERAL) {
                return Optional.of(c.describe() + " requests " + gpus.get(0));
            }
        }
        return Optional.empty();
    }

    /** Node agents run on every node by design, so tolerating every taint is their job, not a squat. */
    static boolean isNodeAgent(Workload w) {
        return w.owner().kind().equals("DaemonSet");
    }

    /** A toleration that lets the pod be scheduled onto nodes with a NoSchedule taint of this key. */
    static boolean allowsScheduling(YamlMap toleration, String effect) {
        String e = toleration.text("effect");
        return e == null || e.isEmpty() || e.equals(effect);
    }

    static boolean isKeyless(YamlMap toleration) {
        String key = toleration.text("key");
        return (key == null || key.isEmpty()) && "Exists".equals(toleration.text("operator"));
    }

    /** The toleration in {@code tolerations} that admits the pod to NoSchedule-tainted GPU nodes, if any. */
    static Optional<YamlMap> gpuToleration(List<YamlMap> tolerations, GpuSettings settings) {
        return tolerations.stream()
                .filter(t -> allowsScheduling(t, "NoSchedule") && (isKeyless(t) || settings.isGpuTaint(t.text("key"))))
                .findFirst();
    }

    /** {@code key=value:effect} the way kubectl prints taints and tolerations. */
    static String describeToleration(YamlMap t) {
        String key = t.text("key");
        String operator = t.text("operator");
        String value = t.text("value");
        String effect = t.text("effect");
        StringBuilder out = new StringBuilder(key == null || key.isEmpty() ? "<every key>" : key);
        out.append(" ").append(operator == null ? "Equal" : operator);
        if (value != null && !value.isEmpty()) {
            out.append(" ").append(value);
        }
        return out.append(":").append(effect == null || effect.isEmpty() ? "<every effect>" : effect).toString();
    }
}
