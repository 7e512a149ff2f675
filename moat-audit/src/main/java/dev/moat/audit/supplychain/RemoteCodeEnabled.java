package dev.moat.audit.supplychain;

import dev.moat.audit.ContainerRule;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An inference server or training script started with remote code enabled: the
 * {@code --trust-remote-code} flag (vLLM, SGLang, KServe's Hugging Face server), Python's
 * {@code trust_remote_code=True}, or a {@code *TRUST_REMOTE_CODE} env var set to true (TGI). Flags
 * are also looked for in env values, where some images read extra arguments from.
 */
public final class RemoteCodeEnabled extends ContainerRule {

    private static final Pattern FLAG = Pattern.compile(
            "--trust[-_]remote[-_]code(?![\\w-])(?!\\s*=\\s*(?i:false|0|no)\\b)");
    private static final Pattern PYTHON = Pattern.compile("trust_remote_code['\"]?\\s*[=:]\\s*(?:True|true)\\b");
    private static final Pattern ENV_NAME = Pattern.compile("(?i)(.*_)?TRUST_REMOTE_CODE");
    private static final Set<String> TRUE = Set.of("1", "true", "yes", "on");

    public RemoteCodeEnabled() {
        super(new RuleInfo("MOAT-SUP-007", Severity.HIGH, "supply-chain", "Model loaded with remote code enabled",
                "trust_remote_code makes transformers import and run the Python files shipped in the model repository "
                        + "(modeling_*.py, tokenizers) inside the server process, with its token, its network access "
                        + "and its GPU. Whoever can change the model repository, or the revision it follows, gets code "
                        + "execution in the cluster.",
                "Remove --trust-remote-code / trust_remote_code=True; use a model architecture the server supports "
                        + "natively. If remote code is unavoidable, review the code, pin the model to a full commit hash "
                        + "and serve it from a reviewed copy with HF_HUB_OFFLINE=1.",
                List.of()));
    }

    @Override
    protected void check(Workload workload, Container container, Reporter report) {
        for (ScriptItems item : ScriptItems.withEnvValues(container)) {
            String name = item.field().startsWith("env ") ? item.field().substring(4) : "";
            boolean flag = FLAG.matcher(item.text()).find() || PYTHON.matcher(item.text()).find();
            boolean envSwitch = ENV_NAME.matcher(name).matches()
                    && TRUE.contains(item.text().trim().toLowerCase(Locale.ROOT));
            if (flag || envSwitch) {
                report.report(item.node().location(), item.field() + " enables remote code from the model repository",
                        envSwitch ? name + "=" + item.text().trim() : item.field() + ": trust-remote-code");
            }
        }
    }
}
