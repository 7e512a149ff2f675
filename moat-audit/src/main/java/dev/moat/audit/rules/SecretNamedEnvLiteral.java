package dev.moat.audit.rules;

import dev.moat.audit.ContainerRule;
import dev.moat.audit.SecretPatterns;
import dev.moat.core.Redaction;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An env var whose name says it holds a secret but whose value is written inline. Values matching a
 * known key format are left to MOAT-SEC-001, so one key is never reported twice.
 */
public final class SecretNamedEnvLiteral extends ContainerRule {

    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|ACCESS_?KEY|PRIVATE_?KEY).*");
    private static final Pattern NOT_A_SECRET_NAME = Pattern.compile("(?i).*(_PATH|_FILE|_DIR|_URL|_ENDPOINT|_NAME|_HEADER)$");
    private static final Pattern PLACEHOLDER = Pattern.compile(
            "(?i)^(|changeme|change-me|xxx+|\\*+|<.*>|\\$\\{.*}|\\$\\(.*\\)|replace.*|your.*|dummy|none|null|false|true|yes|no|"
                    + "disabled|enabled|\\d{1,6})$");

    public SecretNamedEnvLiteral() {
        super(new RuleInfo("MOAT-SEC-002", Severity.HIGH, "secrets", "Secret-named env var with a literal value",
                "An env var named like a key, token or password holds its value inline, so the secret lives in the "
                        + "manifest, in Git and in the API server's object for anyone with read access.",
                "Move the value into a Secret and use env.valueFrom.secretKeyRef (or mount it as a file).",
                List.of("Kubescape C-0012", "Polaris (none)", "Kyverno disallow-secrets-from-env-vars (related)")));
    }

    @Override
    protected void check(Workload workload, Container container, Reporter report) {
        for (YamlMap env : container.env()) {
            String name = env.text("name");
            String value = env.text("value");
            if (name == null || value == null || !SECRET_NAME.matcher(name).matches()
                    || NOT_A_SECRET_NAME.matcher(name).matches() || looksLikePlaceholder(value)
                    || SecretPatterns.find(value).isPresent()) {
                continue;
            }
            report.report(env.locationOf("value"), "env " + name + " holds a literal value",
                    name + " = " + Redaction.redact(value));
        }
    }

    private static boolean looksLikePlaceholder(String value) {
        return value.length() < 8 || PLACEHOLDER.matcher(value.trim().toLowerCase(Locale.ROOT)).matches();
    }
}
