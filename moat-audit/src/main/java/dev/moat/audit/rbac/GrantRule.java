package dev.moat.audit.rbac;

import dev.moat.audit.Configurable;
import dev.moat.audit.ManifestRule;
import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.config.RuleSettings;
import dev.moat.kube.Inventory;
import dev.moat.core.Severity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A rule over what bindings give their subjects. Platform subjects are skipped, and so are the
 * groups that hold everyone (MOAT-RBC-009 reports those bindings). A subject with full access is
 * left to MOAT-RBC-001, so one grant of cluster-admin is one finding, not one per permission.
 * Findings sit on the subject entry of the binding.
 */
abstract class GrantRule implements ManifestRule, Configurable {

    private final RuleInfo info;
    private final Platform platform;

    GrantRule(RuleInfo info, Platform platform) {
        this.info = info;
        this.platform = platform;
    }

    @Override
    public final RuleInfo info() {
        return info;
    }

    @Override
    public final ManifestRule configured(RuleSettings settings) {
        return withPlatform(Platform.from(settings));
    }

    abstract GrantRule withPlatform(Platform platform);

    /** What the grant allows that this rule is about, as a phrase after "can", or empty. */
    abstract Optional<Risk> risk(Grant grant, Inventory inventory);

    /** A risky permission: what it lets the subject do, the rule granting it, the severity if not the documented one. */
    record Risk(String what, PolicyRule rule, Severity severity) {
        Risk(String what, PolicyRule rule) {
            this(what, rule, null);
        }
    }

    boolean skipsFullAccess() {
        return true;
    }

    @Override
    public final void check(Inventory inventory, Consumer<Finding> report) {
        for (Grant g : RbacModel.of(inventory).grants()) {
            if (platform.includes(g.subject()) || g.subject().isEveryone() || (skipsFullAccess() && g.isFullAccess())) {
                continue;
            }
            risk(g, inventory).ifPresent(r -> {
                Finding f = finding(g.binding().source().ref(), g.subject().location(),
                        g.subject().describe() + " can " + r.what() + " through " + g.role().describe(), evidence(g, r.rule()));
                report.accept(r.severity() == null ? f : f.withSeverity(r.severity()));
            });
        }
    }

    /** The binding, role and granting rule, for the reader to find the line to change. */
    static String evidence(Grant g, PolicyRule rule) {
        String at = rule.location() == null ? "" : " at " + rule.location();
        return g.binding().describe() + " -> " + g.role().describe() + ": " + rule.describe() + at;
    }

    /** The permissions of {@code wanted} the grant allows, with the first granting rule. */
    static Optional<Risk> granted(Grant g, List<Permission> wanted, String action) {
        List<Permission> allowed = wanted.stream().filter(g::allows).toList();
        if (allowed.isEmpty()) {
            return Optional.empty();
        }
        PolicyRule rule = g.ruleFor(allowed.get(0)).orElseThrow();
        return Optional.of(new Risk(action + " (" + summary(allowed) + ")", rule));
    }

    /** {@code get, list secrets; create pods/exec}. */
    static String summary(List<Permission> permissions) {
        Map<String, List<String>> byResource = new LinkedHashMap<>();
        for (Permission p : permissions) {
            List<String> verbs = byResource.computeIfAbsent(p.resource(), k -> new ArrayList<>());
            if (!verbs.contains(p.verb())) {
                verbs.add(p.verb());
            }
        }
        return String.join("; ", byResource.entrySet().stream()
                .map(e -> String.join(", ", e.getValue()) + " " + e.getKey()).toList());
    }
}
