package dev.moat.audit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.config.MoatConfig;
import dev.moat.core.config.RuleSettings;
import dev.moat.kube.AiWorkloads;
import dev.moat.kube.Inventory;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AiMarkingTest {

    private static final String SERVER = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: ranker, namespace: search}
            spec:
              template:
                metadata:
                  labels: {app: ranker}
                spec:
                  containers:
                  - {name: app, image: registry.example.com/search/ranker:1.2}
            """;

    private static RuleSettings settings(String yaml) throws Exception {
        return new RuleSettings(MoatConfig.parse(".moat.yaml", yaml.getBytes(UTF_8), Set.of()).settings());
    }

    @Test
    void homeGrownModelServerBecomesAnAiWorkloadWhenTheConfigSaysSo() throws Exception {
        Inventory plain = Manifests.inventory(SERVER);
        assertThat(AiWorkloads.isAi(plain.workloads().get(0))).isFalse();
        Inventory marked = AiMarking.apply(plain, settings("settings:\n  aiWorkloads:\n  - {namespace: search, labels: {app: ranker}}\n"));
        assertThat(AiWorkloads.reason(marked.workloads().get(0))).hasValueSatisfying(r -> assertThat(r).contains("moat.dev/ai-workload"));
    }

    @Test
    void selectorsThatDoNotMatchLeaveWorkloadsAlone() throws Exception {
        Inventory plain = Manifests.inventory(SERVER);
        Inventory other = AiMarking.apply(plain, settings("settings:\n  aiWorkloads:\n  - {namespace: ads, name: 'rank*'}\n"
                + "  - {kind: StatefulSet}\n"));
        assertThat(AiWorkloads.isAi(other.workloads().get(0))).isFalse();
        Inventory byGlob = AiMarking.apply(plain, settings("settings:\n  aiWorkloads:\n  - {name: 'rank*', kind: Deployment}\n"));
        assertThat(AiWorkloads.isAi(byGlob.workloads().get(0))).isTrue();
    }
}
