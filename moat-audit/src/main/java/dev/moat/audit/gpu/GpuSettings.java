package dev.moat.audit.gpu;

import dev.moat.core.config.RuleSettings;
import java.util.List;

/**
 * How a cluster marks its GPU nodes, read from {@code .moat.yaml} {@code settings:}. Entries ending in
 * {@code *} match by prefix.
 *
 * <ul>
 *   <li>{@code gpuTaintKeys}: taint keys that fence GPU nodes. The defaults follow the convention of the
 *       ExtendedResourceToleration admission plugin, GKE and the vendors' device plugins: the taint is named
 *       after the resource ({@code nvidia.com/gpu}, {@code amd.com/gpu}, {@code gpu.intel.com/*}).</li>
 *   <li>{@code gpuPoolLabels}: node labels a pod selects to land in a GPU pool (GPU feature discovery, GKE,
 *       Karpenter, AKS, node feature discovery, and the instance type).</li>
 *   <li>{@code gpuNodeLabels}: node labels that mark a Node as a GPU node. The instance type is a pool label but
 *       not a node label, since every node carries one.</li>
 * </ul>
 */
public record GpuSettings(List<String> taintKeys, List<String> poolLabels, List<String> nodeLabels) {

    private static final List<String> NODE_LABELS = List.of("nvidia.com/gpu.present", "nvidia.com/gpu.product",
            "nvidia.com/gpu.count", "cloud.google.com/gke-accelerator", "karpenter.k8s.aws/instance-gpu-count",
            "karpenter.k8s.aws/instance-gpu-name", "kubernetes.azure.com/accelerator", "accelerator",
            "amd.com/gpu.family", "amd.com/gpu.device-id", "gpu.intel.com/device-id.*",
            "feature.node.kubernetes.io/pci-10de.present", "feature.node.kubernetes.io/pci-1002.present");

    public static final GpuSettings DEFAULTS = new GpuSettings(
            List.of("nvidia.com/gpu", "amd.com/gpu", "gpu.intel.com/*"),
            concat(NODE_LABELS, List.of("nvidia.com/gpu.family", "nvidia.com/gpu.machine", "node.kubernetes.io/instance-type",
                    "beta.kubernetes.io/instance-type")),
            NODE_LABELS);

    public GpuSettings {
        taintKeys = List.copyOf(taintKeys);
        poolLabels = List.copyOf(poolLabels);
        nodeLabels = List.copyOf(nodeLabels);
    }

    public static GpuSettings from(RuleSettings settings) {
        return new GpuSettings(settings.list("gpuTaintKeys", DEFAULTS.taintKeys),
                settings.list("gpuPoolLabels", DEFAULTS.poolLabels), settings.list("gpuNodeLabels", DEFAULTS.nodeLabels));
    }

    public boolean isGpuTaint(String key) {
        return matches(taintKeys, key);
    }

    public boolean isPoolLabel(String key) {
        return matches(poolLabels, key);
    }

    public boolean isNodeLabel(String key) {
        return matches(nodeLabels, key);
    }

    private static boolean matches(List<String> patterns, String key) {
        if (key == null) {
            return false;
        }
        for (String p : patterns) {
            if (p.endsWith("*") ? key.startsWith(p.substring(0, p.length() - 1)) : key.equals(p)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
