package dev.moat.audit.secrets;

import dev.moat.audit.Configurable;
import dev.moat.audit.DocumentedRule;
import dev.moat.audit.ManifestRule;
import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.config.RuleSettings;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.Inventory;
import dev.moat.kube.KubeObject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An ExternalSecret that does not pull rotated values from its store often enough: refresh turned off
 * ({@code refreshInterval: 0}, {@code refreshPolicy: CreatedOnce/OnChange}) or an interval above the
 * configured limit. A key revoked after a leak keeps working in the cluster until the next refresh.
 */
public final class ExternalSecretRotation extends DocumentedRule implements Configurable {

    /** {@code settings.externalSecretMaxRefresh} in {@code .moat.yaml}, a Go duration. */
    public static final String SETTING = "externalSecretMaxRefresh";
    private static final Duration DEFAULT_MAX = Duration.ofHours(24);
    private static final String GROUP = "external-secrets.io";

    private static final RuleInfo INFO = new RuleInfo("MOAT-SEC-007", Severity.MEDIUM, "secrets",
            "ExternalSecret without timely rotation",
            "External Secrets only copies a rotated or revoked value into the cluster when it refreshes. With refresh "
                    + "off or a long interval, rotating a leaked model-provider or hub key in the vault leaves pods "
                    + "using the old one, and rotation drills silently do nothing. A missing refreshInterval falls back "
                    + "to the operator's default (1h), reported as info so the contract is written down.",
            "Set spec.refreshPolicy: Periodic (or leave it unset) and spec.refreshInterval to at most the configured "
                    + "limit (settings." + SETTING + ", default 24h), e.g. 1h.",
            List.of("Kubescape C-0208 (external secret storage, related)"));

    private final Duration max;

    public ExternalSecretRotation() {
        this(DEFAULT_MAX);
    }

    private ExternalSecretRotation(Duration max) {
        super(INFO);
        this.max = max;
    }

    @Override
    public ManifestRule configured(RuleSettings settings) {
        return new ExternalSecretRotation(GoDuration.parse(settings.text(SETTING, null)).orElse(DEFAULT_MAX));
    }

    @Override
    public void check(Inventory inventory, Consumer<Finding> report) {
        for (KubeObject o : inventory.objects()) {
            if (!o.group().equals(GROUP)) {
                continue;
            }
            YamlMap spec = switch (o.kind()) {
                case "ExternalSecret" -> o.spec();
                case "ClusterExternalSecret" -> o.spec().map("externalSecretSpec");
                default -> null;
            };
            if (spec != null) {
                problem(spec).ifPresent(p -> report.accept(finding(o.ref(), spec.locationOf(p.field()),
                        o.kind() + " " + o.name() + " " + p.message(), p.evidence()).withSeverity(p.severity())));
            }
        }
    }

    private record Problem(String field, String message, String evidence, Severity severity) {
    }

    private Optional<Problem> problem(YamlMap spec) {
        String policy = spec.text("refreshPolicy");
        if ("CreatedOnce".equals(policy) || "OnChange".equals(policy)) {
            return Optional.of(new Problem("refreshPolicy", "never refreshes from its store (refreshPolicy " + policy
                    + "): rotated values do not reach the cluster", "refreshPolicy: " + policy, INFO.severity()));
        }
        String interval = spec.text("refreshInterval");
        if (interval == null) {
            return Optional.of(new Problem("refreshInterval", "sets no refreshInterval and relies on the operator's "
                    + "default (1h)", "refreshInterval absent", Severity.INFO));
        }
        return GoDuration.parse(interval).flatMap(d -> {
            if (d.isZero()) {
                return Optional.of(new Problem("refreshInterval", "never refreshes from its store (refreshInterval "
                        + interval + "): rotated values do not reach the cluster", "refreshInterval: " + interval,
                        INFO.severity()));
            }
            return d.compareTo(max) > 0
                    ? Optional.of(new Problem("refreshInterval", "refreshes only every " + GoDuration.format(d)
                            + ", longer than the " + GoDuration.format(max) + " limit", "refreshInterval: " + interval,
                            INFO.severity()))
                    : Optional.empty();
        });
    }
}
