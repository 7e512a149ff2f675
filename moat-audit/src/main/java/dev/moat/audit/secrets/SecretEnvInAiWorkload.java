package dev.moat.audit.secrets;

import dev.moat.audit.ContainerRule;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.SourceLocation;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.AiWorkloads;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.util.ArrayList;
import java.util.List;

/**
 * An AI workload that receives Secrets as environment variables. Reported once per container, at the
 * first such variable, listing them all: the fix (mount the Secret) is one change per container.
 */
public final class SecretEnvInAiWorkload extends ContainerRule {

    public SecretEnvInAiWorkload() {
        super(new RuleInfo("MOAT-SEC-008", Severity.MEDIUM, "secrets", "AI workload reads Secrets from env vars",
                "Environment variables leak more easily than files: every child process inherits them, they are in "
                        + "/proc/<pid>/environ, and inference and training stacks print them (Ray runtime_env and "
                        + "dashboard, notebook os.environ dumps, crash reports, experiment trackers that log the "
                        + "environment). They also never change in a running pod, so a rotated hub or provider key "
                        + "needs a restart.",
                "Mount the Secret as a volume (readOnly, defaultMode 0400) and point the server at the file, e.g. "
                        + "HF_TOKEN_PATH or --api-key-file, instead of env.valueFrom.secretKeyRef / envFrom.secretRef.",
                List.of("kube-linter read-secret-from-env-var", "Kubescape C-0207", "Checkov CKV_K8S_35",
                        "kubesec SecretsAsEnvironmentVariables", "Kyverno disallow-secrets-from-env-vars",
                        "Datree CIS_INVALID_KEY_SECRETKEYREF_SECRETREF")));
    }

    private record Use(String describe, SourceLocation location) {
    }

    @Override
    protected void check(Workload workload, Container container, Reporter report) {
        List<Use> uses = new ArrayList<>();
        for (YamlMap env : container.env()) {
            YamlMap ref = env.path("valueFrom", "secretKeyRef");
            if (ref != null) {
                uses.add(new Use(env.text("name") + " <- " + ref.text("name") + "/" + ref.text("key"),
                        env.map("valueFrom").locationOf("secretKeyRef")));
            }
        }
        for (YamlMap from : container.body().maps("envFrom")) {
            YamlMap ref = from.map("secretRef");
            if (ref != null) {
                uses.add(new Use("all keys of " + ref.text("name"), from.locationOf("secretRef")));
            }
        }
        if (uses.isEmpty() || !AiWorkloads.isAi(workload)) {
            return;
        }
        report.report(uses.get(0).location(), "reads Secrets through " + uses.size() + " env reference(s)",
                String.join(", ", uses.stream().map(Use::describe).toList()));
    }
}
