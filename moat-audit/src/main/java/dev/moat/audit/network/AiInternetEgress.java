package dev.moat.audit.network;

import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.reach.ConnectionSet;
import java.util.List;
import java.util.function.Consumer;

/** An AI workload that may open connections to the internet. */
public final class AiInternetEgress extends NetworkRule {

    public AiInternetEgress() {
        super(new RuleInfo("MOAT-NET-004", Severity.MEDIUM, "network", "AI workload can reach the internet",
                "A model server with internet egress can download unreviewed weights or code at start-up, and a "
                        + "compromised one (a poisoned model, a prompt-injected tool call) can exfiltrate prompts, "
                        + "training data and credentials.",
                "Isolate the workload for egress (policyTypes: [Egress]) and allow only DNS and the internal services "
                        + "it needs; serve models from an internal registry or volume.",
                List.of("no equivalent in the general scanners")));
    }

    @Override
    void check(NetworkView view, Consumer<Finding> report) {
        for (NetworkView.AiPeer ai : view.aiWorkloads()) {
            ConnectionSet out = view.toInternet(ai.peer());
            if (!out.isEmpty()) {
                report.accept(finding(ai.workload().ref(), ai.workload().owner().location(),
                        ai.peer().display() + " can open connections to the internet (" + out + ")",
                        "AI workload because " + ai.reason() + "; egress to public addresses: " + out));
            }
        }
    }
}
