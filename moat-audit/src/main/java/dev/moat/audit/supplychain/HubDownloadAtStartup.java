package dev.moat.audit.supplychain;

import dev.moat.audit.ContainerRule;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.util.List;

/**
 * A command or argument that downloads a model from a public hub or URL each time the pod starts.
 * Applies to all workloads (the download is what makes it a model workload). A full commit hash or
 * sha256 digest in the same script counts as a pin and is not reported.
 */
public final class HubDownloadAtStartup extends ContainerRule {

    public HubDownloadAtStartup() {
        super(new RuleInfo("MOAT-SUP-004", Severity.MEDIUM, "supply-chain", "Model downloaded from a public hub at start-up",
                "A model fetched by huggingface-cli/hf download, snapshot_download, from_pretrained, git clone of a hub "
                        + "repository, ollama pull or curl/wget at every start is whatever the hub serves at that moment: "
                        + "a force-pushed branch, a compromised uploader account or a renamed repository changes the "
                        + "weights (and any pickled or remote code) that run, replicas can disagree, and the pod cannot "
                        + "start when the hub is down or rate-limits. Nothing reviewed the files before they ran.",
                "Download the model once in a controlled pipeline, scan it, and serve it from a read-only volume, an "
                        + "internal mirror or an OCI model image pinned by digest; at minimum pin a full commit hash "
                        + "(--revision <40-hex sha>) and set HF_HUB_OFFLINE=1 on the server.",
                List.of()));
    }

    @Override
    protected void check(Workload workload, Container container, Reporter report) {
        for (ScriptItems item : ScriptItems.commandAndArgs(container)) {
            if (Pins.mentionsPin(item.text())) {
                continue;
            }
            StartupFetch.find(item.text()).ifPresent(fetch -> report.report(item.node().location(),
                    item.field() + " downloads a model at start-up (" + fetch.describe() + ") without a pinned revision",
                    item.field() + ": " + fetch.describe()));
        }
    }
}
