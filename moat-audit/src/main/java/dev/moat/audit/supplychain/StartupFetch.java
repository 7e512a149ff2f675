package dev.moat.audit.supplychain;

import dev.moat.kube.Container;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises a model download in a container's command or arguments: hub CLIs, the
 * huggingface_hub Python API, {@code git clone} of a hub repository, and curl/wget of a hub URL
 * or of a file with a model-weights extension. {@code target} is what is fetched, with any
 * credentials or query string removed so it can be printed.
 */
record StartupFetch(String tool, String target) {

    private static final String TOKEN = "([^\\s;&|'\"()]+)";
    private static final Pattern CLI = Pattern.compile(
            "(?:^|[\\s;&|(/])(huggingface-cli|hf|modelscope)\\s+download\\s+(?:--?[\\w-]+\\s+)*" + TOKEN);
    private static final Pattern OLLAMA = Pattern.compile("(?:^|[\\s;&|(/])(ollama)\\s+pull\\s+" + TOKEN);
    private static final Pattern PYTHON = Pattern.compile(
            "\\b(snapshot_download|hf_hub_download)\\s*\\(\\s*(?:repo_id\\s*=\\s*)?(?:['\"]([^'\"]+)['\"])?");
    private static final Pattern FROM_PRETRAINED = Pattern.compile(
            "\\.(from_pretrained)\\(\\s*['\"]([\\w.-]+/[\\w.-]+)['\"]");
    private static final Pattern GIT_CLONE = Pattern.compile(
            "\\bgit\\s+(clone)\\s+(?:-[^\\s]+\\s+)*(https?://[^\\s;&|'\"]*?(?:huggingface\\.co|hf\\.co)/[^\\s;&|'\"]+)");
    private static final Pattern HTTP_GET = Pattern.compile("\\b(curl|wget)\\b[^;&|\\n]*?(https?://[^\\s;&|'\"]+)");
    private static final Pattern HUB_URL = Pattern.compile("(?i)^https?://([^/@]*@)?(huggingface\\.co|hf\\.co)/.*");
    private static final Pattern WEIGHTS_FILE = Pattern.compile(
            "(?i).*\\.(safetensors|gguf|ggml|bin|pt|pth|ckpt|onnx|h5|keras|pb|pkl|pickle|joblib|tflite|mar|nemo)$");

    static Optional<StartupFetch> find(String script) {
        for (Pattern p : List.of(CLI, OLLAMA, PYTHON, FROM_PRETRAINED, GIT_CLONE)) {
            Matcher m = p.matcher(script);
            if (m.find()) {
                return Optional.of(new StartupFetch(m.group(1), m.group(2) == null ? "" : Pins.sanitizeUrl(m.group(2))));
            }
        }
        Matcher m = HTTP_GET.matcher(script);
        while (m.find()) {
            String url = Pins.sanitizeUrl(m.group(2));
            if (HUB_URL.matcher(m.group(2)).matches() || WEIGHTS_FILE.matcher(url).matches()) {
                return Optional.of(new StartupFetch(m.group(1), url));
            }
        }
        return Optional.empty();
    }

    /** True when the container's command or arguments download a model or hand a hub URI to a downloader. */
    static boolean fetchesModels(Container c) {
        return c.command().stream().anyMatch(s -> find(s).isPresent() || s.trim().startsWith("hf://"))
                || c.args().stream().anyMatch(s -> find(s).isPresent() || s.trim().startsWith("hf://"));
    }

    String describe() {
        return target.isEmpty() ? tool : tool + " " + target;
    }
}
