package dev.moat.audit.supplychain;

import dev.moat.audit.ContainerRule;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A long-running container holding a Hugging Face token without {@code HF_HUB_OFFLINE} switched on.
 * Init containers and containers whose command downloads the model are the place a token belongs,
 * so they are left alone; applies to every other container of any workload.
 */
public final class HubTokenOnline extends ContainerRule {

    private static final Set<String> TOKEN_NAMES = Set.of("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HUGGINGFACE_HUB_TOKEN",
            "HUGGINGFACE_TOKEN");
    /** The values huggingface_hub reads as true. */
    private static final Set<String> TRUE = Set.of("1", "true", "yes", "on");

    public HubTokenOnline() {
        super(new RuleInfo("MOAT-SUP-008", Severity.LOW, "supply-chain", "Hub token present while HF_HUB_OFFLINE is not set",
                "With a Hugging Face token and the hub reachable, the serving process can download new revisions, "
                        + "tokenizers and remote code whenever it (re)starts or a request names another model, and a "
                        + "compromised server can read private or gated repositories with the token. Serving needs "
                        + "neither once the weights are on disk.",
                "Download the model in an init container or a separate Job that holds the token; run the server "
                        + "without the token and with HF_HUB_OFFLINE=1 so it only loads the local, reviewed copy.",
                List.of()));
    }

    @Override
    protected void check(Workload workload, Container container, Reporter report) {
        if (container.type() == Container.Type.INIT || StartupFetch.fetchesModels(container) || offline(container)) {
            return;
        }
        token(container).ifPresent(env -> report.report(env.locationOf("name"),
                "holds Hugging Face token " + env.text("name") + " but HF_HUB_OFFLINE is not set to 1",
                "env " + env.text("name") + (env.get("valueFrom") != null ? " (from valueFrom)" : " (literal value)")
                        + ", HF_HUB_OFFLINE unset"));
    }

    private static Optional<YamlMap> token(Container c) {
        return c.env().stream()
                .filter(e -> e.text("name") != null && TOKEN_NAMES.contains(e.text("name").toUpperCase(Locale.ROOT)))
                .findFirst();
    }

    private static boolean offline(Container c) {
        return c.env().stream().anyMatch(e -> "HF_HUB_OFFLINE".equals(e.text("name")) && e.text("value") != null
                && TRUE.contains(e.text("value").trim().toLowerCase(Locale.ROOT)));
    }
}
