package dev.moat.kube;

import dev.moat.core.yaml.YamlMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides whether a workload serves or trains models, from what the manifest shows: AI operators'
 * kinds, accelerator requests, well-known inference and training images, and model-hub settings.
 * Rules use it to grade findings on AI workloads more severely.
 */
public final class AiWorkloads {

    private static final Set<String> AI_GROUPS = Set.of("serving.kserve.io", "ray.io", "kubeflow.org",
            "trainer.kubeflow.org", "leaderworkerset.x-k8s.io", "inference.networking.x-k8s.io", "machinelearning.seldon.io");
    private static final Pattern AI_IMAGE = Pattern.compile(
            "(?i)(^|[/_.-])(vllm|text-generation-inference|tgi|tritonserver|triton|tensorflow|torchserve|pytorch|ollama|"
                    + "sglang|llama[.-]?cpp|huggingface|kserve|rayproject|ray-ml|mlserver|seldon|nim|lmdeploy|deepspeed|"
                    + "tensorrt|jax|transformers|xgboost|sklearnserver|cuda)([/:_.-]|$)");
    private static final Set<String> MODEL_ENV = Set.of("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HUGGINGFACE_TOKEN",
            "HF_HOME", "HF_MODEL_ID", "MODEL_ID", "MODEL_NAME", "TRANSFORMERS_CACHE", "OPENAI_API_KEY", "ANTHROPIC_API_KEY");

    /** Label or annotation by which users mark workloads Moat cannot recognise (a home-grown model server). */
    public static final String MARKER = "moat.dev/ai-workload";

    private AiWorkloads() {
    }

    /** Why the workload counts as an AI workload, or empty when nothing suggests it. */
    public static Optional<String> reason(Workload w) {
        if ("true".equals(w.podLabels().get(MARKER)) || "true".equals(w.owner().labels().get(MARKER))
                || "true".equals(w.owner().annotation(MARKER))) {
            return Optional.of("it is marked " + MARKER + ": \"true\"");
        }
        if (AI_GROUPS.contains(w.owner().group())) {
            return Optional.of(w.owner().kind() + " is an AI operator's resource");
        }
        for (Container c : w.pod().containers()) {
            List<String> gpus = acceleratorResources(c);
            if (!gpus.isEmpty()) {
                return Optional.of(c.describe() + " requests " + gpus.get(0));
            }
            if (c.image() != null && AI_IMAGE.matcher(c.image()).find()) {
                return Optional.of(c.describe() + " runs " + c.image());
            }
            for (YamlMap env : c.env()) {
                String name = env.text("name");
                if (name != null && MODEL_ENV.contains(name.toUpperCase(Locale.ROOT))) {
                    return Optional.of(c.describe() + " sets " + name);
                }
            }
        }
        return Optional.empty();
    }

    public static boolean isAi(Workload w) {
        return reason(w).isPresent();
    }

    /**
     * Extended resources naming an accelerator (nvidia.com/gpu, amd.com/gpu, gpu.intel.com/*, MIG slices), in requests or limits.
     * {@code nvidia.com/gpu.shared} (time-slicing with renamed resources) and HAMi's {@code nvidia.com/gpumem}/{@code gpucores}
     * are GPU shares too.
     */
    public static List<String> acceleratorResources(Container c) {
        List<String> out = new ArrayList<>();
        YamlMap resources = c.resources();
        if (resources == null) {
            return out;
        }
        for (String section : List.of("limits", "requests")) {
            YamlMap m = resources.map(section);
            if (m == null) {
                continue;
            }
            for (YamlMap.Entry e : m.fields()) {
                if (isAccelerator(e.key()) && !out.contains(e.key())) {
                    out.add(e.key());
                }
            }
        }
        return out;
    }

    public static boolean isAccelerator(String resourceName) {
        return resourceName.startsWith("nvidia.com/gpu") || resourceName.startsWith("nvidia.com/mig-")
                || resourceName.equals("amd.com/gpu") || resourceName.startsWith("gpu.intel.com/")
                || resourceName.equals("google.com/tpu") || resourceName.startsWith("habana.ai/")
                || resourceName.startsWith("aws.amazon.com/neuron");
    }
}
