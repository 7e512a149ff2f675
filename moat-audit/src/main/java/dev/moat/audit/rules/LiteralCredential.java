package dev.moat.audit.rules;

import dev.moat.audit.ContainerRule;
import dev.moat.audit.SecretPatterns;
import dev.moat.core.Redaction;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.SourceLocation;
import dev.moat.core.yaml.YamlMap;
import dev.moat.core.yaml.YamlNode;
import dev.moat.core.yaml.YamlSeq;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.util.List;

/** A recognised API key or private key written into a container's env, command or args. */
public final class LiteralCredential extends ContainerRule {

    public LiteralCredential() {
        super(new RuleInfo("MOAT-SEC-001", Severity.CRITICAL, "secrets", "Literal credential in a container spec",
                "A key written into a manifest is in every clone of the repository, every CI log that prints the "
                        + "manifest, and readable by anyone who can get the Deployment. Model-provider and hub keys "
                        + "(OpenAI, Anthropic, Hugging Face) spend money and reach private models and data.",
                "Revoke the key now, then store it in a Secret (ideally synced by External Secrets from a vault) and "
                        + "reference it with env.valueFrom.secretKeyRef or a mounted file.",
                List.of("Kubescape C-0012 (sensitiveValues)", "Trivy secret scanning", "gitleaks", "trufflehog")));
    }

    @Override
    protected void check(Workload workload, Container container, Reporter report) {
        for (YamlMap env : container.env()) {
            YamlNode value = env.get("value");
            if (value != null) {
                inspect(value.text(), env.locationOf("value"), "env " + env.text("name"), report);
            }
        }
        for (String field : List.of("command", "args")) {
            YamlSeq seq = container.body().seq(field);
            if (seq != null) {
                for (YamlNode item : seq.items()) {
                    inspect(item.text(), item.location(), field, report);
                }
            }
        }
    }

    private static void inspect(String text, SourceLocation at, String where, Reporter report) {
        SecretPatterns.find(text).ifPresent(m -> report.report(at,
                m.kind() + " written literally in " + where, where + " = " + Redaction.redact(m.secret())));
    }
}
