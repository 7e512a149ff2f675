package dev.moat.audit.resources;

import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.Container;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a container fetches model weights when it starts, and how. Evidence names the tool or the
 * model ID only, never the raw command line, which may carry a token in a header or URL.
 */
final class ModelDownloads {

    private record Signal(Pattern pattern, String label) {
    }

    private static final String HUB_ID = "([A-Za-z0-9][\\w.-]*/[\\w.-]+)";
    private static final List<Signal> COMMANDS = List.of(
            new Signal(Pattern.compile("huggingface-cli\\s+download"), "huggingface-cli download"),
            new Signal(Pattern.compile("(^|[\\s;&|(])hf\\s+download\\b"), "hf download"),
            new Signal(Pattern.compile("\\b(snapshot_download|hf_hub_download)\\b"), "huggingface_hub download"),
            new Signal(Pattern.compile("git\\s+clone\\s+\\S*(huggingface\\.co|hf\\.co)/"), "git clone from the Hugging Face Hub"),
            new Signal(Pattern.compile("git\\s+lfs\\s+pull"), "git lfs pull"),
            new Signal(Pattern.compile("\\b(wget|curl)\\b[^;&|]*\\.(safetensors|gguf|bin|pt|pth|ckpt|onnx|h5)\\b"),
                    "curl/wget of a model file"),
            new Signal(Pattern.compile("\\baws\\s+s3\\s+(cp|sync)\\b|\\bgsutil\\b[^;&|]*\\b(cp|rsync)\\b"
                    + "|\\bgcloud\\s+storage\\s+(cp|rsync)\\b|\\bazcopy\\s+(copy|sync)\\b"), "object-store copy"),
            new Signal(Pattern.compile("\\bollama\\s+pull\\b"), "ollama pull"));
    private static final List<Pattern> HUB_MODEL_ARGS = List.of(
            Pattern.compile("\\bvllm\\s+serve\\s+" + HUB_ID),
            Pattern.compile("--model(?:-id)?(?:=|\\s+)" + HUB_ID));
    private static final Set<String> MODEL_ID_ENV = Set.of("MODEL_ID", "HF_MODEL_ID");
    private static final Set<String> OFFLINE_ENV = Set.of("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE");
    private static final Pattern HUB_ID_VALUE = Pattern.compile(HUB_ID);

    private ModelDownloads() {
    }

    /** How {@code c} downloads a model at start-up, or empty when nothing shows it does. */
    static Optional<String> signal(Container c) {
        if (offline(c)) {
            return Optional.empty();
        }
        String line = String.join(" ", c.command()) + " " + String.join(" ", c.args());
        for (Signal s : COMMANDS) {
            if (s.pattern().matcher(line).find()) {
                return Optional.of(s.label());
            }
        }
        for (Pattern p : HUB_MODEL_ARGS) {
            Matcher m = p.matcher(line);
            if (m.find()) {
                return Optional.of("serves hub model " + m.group(1));
            }
        }
        for (YamlMap env : c.env()) {
            String value = env.text("value");
            if (MODEL_ID_ENV.contains(env.text("name")) && value != null && HUB_ID_VALUE.matcher(value).matches()) {
                return Optional.of("serves hub model " + value + " (env " + env.text("name") + ")");
            }
        }
        return Optional.empty();
    }

    private static boolean offline(Container c) {
        return c.env().stream().anyMatch(e -> OFFLINE_ENV.contains(e.text("name"))
                && Set.of("1", "true", "TRUE", "True", "yes", "ON", "on").contains(e.text("value")));
    }
}
