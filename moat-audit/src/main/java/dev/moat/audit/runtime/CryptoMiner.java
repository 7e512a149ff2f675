package dev.moat.audit.runtime;

import dev.moat.audit.ContainerRule;
import dev.moat.audit.supplychain.ScriptItems;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Known cryptocurrency-miner images, binaries, pool protocols and pool hosts in a container's image,
 * command, args or env values. Applies to all workloads; GPU nodes are what miners look for.
 */
public final class CryptoMiner extends ContainerRule {

    private static final Pattern MINER = Pattern.compile("(?i)(?:^|[\\s/_.:=@\"'-])(xmrig|xmr-stak(?:-cpu)?|minerd|"
            + "cpuminer(?:-multi|-opt)?|ccminer|cgminer|bfgminer|ethminer|nbminer|lolminer|phoenixminer|t-rex-miner|"
            + "teamredminer|nanominer|srbminer(?:-multi)?|gminer|xmr-node-proxy)(?=$|[\\s/_.:@\"'-])");
    private static final Pattern POOL = Pattern.compile("(?i)(stratum\\d?\\+(?:tcp|ssl|tls)://|--donate-level\\b|"
            + "(?:supportxmr\\.com|moneroocean\\.stream|nanopool\\.org|minexmr\\.com|2miners\\.com|f2pool\\.com|"
            + "ethermine\\.org|hashvault\\.pro|c3pool\\.com|nicehash\\.com|herominers\\.com|unmineable\\.com))");

    public CryptoMiner() {
        super(new RuleInfo("MOAT-RUN-012", Severity.CRITICAL, "runtime", "Cryptocurrency miner in a container",
                "GPU nodes are the most valuable target for cryptojacking: a miner smuggled into a manifest, a chart or a "
                        + "compromised image turns the cluster's accelerators into someone else's revenue. Miner "
                        + "binaries (xmrig, nbminer, lolminer...), stratum pool URLs and well-known pool hosts have no "
                        + "place in a workload.",
                "Remove the workload, find how it got into the manifests (compromised chart, CI or account) and rotate "
                        + "the credentials involved; block pool hosts with egress NetworkPolicies and restrict images "
                        + "to an allowlisted registry (MOAT-SUP-003).",
                List.of("Falco 'Detect crypto miners using the Stratum protocol' (runtime)")));
    }

    @Override
    protected void check(Workload workload, Container container, Reporter report) {
        if (container.image() != null) {
            indicator(container.image()).ifPresent(i -> report.report(container.body().locationOf("image"),
                    "image '" + container.image() + "' is a known crypto miner (" + i + ")", "image: " + container.image()));
        }
        for (ScriptItems item : ScriptItems.withEnvValues(container)) {
            indicator(item.text()).ifPresent(i -> report.report(item.node().location(),
                    item.field() + " runs a crypto miner (" + i + ")", item.field() + ": " + i));
        }
    }

    private static Optional<String> indicator(String text) {
        for (Pattern p : List.of(MINER, POOL)) {
            Matcher m = p.matcher(text);
            if (m.find()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }
}
