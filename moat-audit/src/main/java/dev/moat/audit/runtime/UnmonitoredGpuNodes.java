package dev.moat.audit.runtime;

import dev.moat.audit.Configurable;
import dev.moat.audit.DocumentedRule;
import dev.moat.audit.ManifestRule;
import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.config.RuleSettings;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.AiWorkloads;
import dev.moat.kube.Container;
import dev.moat.kube.Inventory;
import dev.moat.kube.Workload;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.function.Consumer;

/**
 * A runtime-security agent DaemonSet (Falco, Tetragon, Sysdig, Aqua, Tracee, KubeArmor, NeuVector,
 * Prisma/Twistlock, CrowdStrike, StackRox) that cannot run on GPU nodes because it does not tolerate
 * their taint, while workloads in the inputs request accelerators. A toleration counts when it has
 * the taint's key (any operator) or no key with {@code operator: Exists}, and no effect or NoSchedule.
 * The taint keys come from {@code settings.gpuTaintKeys} (default {@code nvidia.com/gpu}).
 */
public final class UnmonitoredGpuNodes extends DocumentedRule implements Configurable {

    public static final String SETTING = "gpuTaintKeys";
    private static final List<String> DEFAULT_TAINTS = List.of("nvidia.com/gpu");
    private static final Pattern AGENT = Pattern.compile("(?i)(falco|tetragon|sysdig|aquasec/enforcer|aqua-enforcer|"
            + "kube-enforcer|tracee|kubearmor|neuvector|twistlock|falcon-sensor|stackrox)");

    private static final RuleInfo INFO = new RuleInfo("MOAT-RUN-014", Severity.MEDIUM, "runtime",
            "Runtime-security agent does not run on GPU nodes",
            "GPU nodes carry a NoSchedule taint so that only GPU workloads land there, and DaemonSets are subject to it "
                    + "too. A Falco-style agent without the matching toleration is silently absent from exactly the nodes "
                    + "that run model servers and training jobs, the most valuable targets for cryptojacking, model "
                    + "theft and escapes, so nothing detects a shell or a miner there.",
            "Add a toleration for the GPU taint to the agent's DaemonSet (key: nvidia.com/gpu, operator: Exists, "
                    + "effect: NoSchedule), or operator: Exists without a key to run on every node; set "
                    + "settings.gpuTaintKeys in .moat.yaml if the GPU pool uses another taint.",
            List.of());

    private final List<String> taintKeys;

    public UnmonitoredGpuNodes() {
        this(DEFAULT_TAINTS);
    }

    private UnmonitoredGpuNodes(List<String> taintKeys) {
        super(INFO);
        this.taintKeys = List.copyOf(taintKeys);
    }

    @Override
    public ManifestRule configured(RuleSettings settings) {
        return new UnmonitoredGpuNodes(settings.list(SETTING, DEFAULT_TAINTS));
    }

    @Override
    public void check(Inventory inventory, Consumer<Finding> report) {
        Optional<Workload> gpuWorkload = inventory.workloads().stream()
                .filter(w -> w.pod().containers().stream().anyMatch(c -> !AiWorkloads.acceleratorResources(c).isEmpty()))
                .findFirst();
        if (gpuWorkload.isEmpty()) {
            return;
        }
        for (Workload agent : inventory.workloads()) {
            if (!agent.owner().kind().equals("DaemonSet") || !isSecurityAgent(agent)) {
                continue;
            }
            for (String taint : taintKeys) {
                if (agent.pod().tolerations().stream().noneMatch(t -> tolerates(t, taint))) {
                    YamlMap pod = agent.pod().body();
                    report.accept(finding(agent.ref(), pod.get("tolerations") != null ? pod.locationOf("tolerations")
                                    : pod.location(),
                            "runtime-security agent " + agent.owner().name() + " does not tolerate the GPU taint " + taint
                                    + ", so GPU nodes (running " + gpuWorkload.get().describe() + ") go unmonitored",
                            "tolerations: " + agent.pod().tolerations().stream().map(t -> t.text("key")).toList()));
                }
            }
        }
    }

    private static boolean isSecurityAgent(Workload w) {
        return AGENT.matcher(w.owner().name()).find()
                || w.pod().containers().stream().map(Container::image).anyMatch(i -> i != null && AGENT.matcher(i).find());
    }

    static boolean tolerates(YamlMap toleration, String taintKey) {
        String key = toleration.text("key");
        String effect = toleration.text("effect");
        boolean keyMatches = key == null || key.isEmpty() ? "Exists".equals(toleration.text("operator")) : key.equals(taintKey);
        return keyMatches && (effect == null || effect.isEmpty() || effect.equals("NoSchedule"));
    }
}
