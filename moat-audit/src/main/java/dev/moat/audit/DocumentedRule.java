package dev.moat.audit;

import dev.moat.core.RuleInfo;

/** The documentation every rule carries; the base of the rule shapes (per container, per pod, network). */
public abstract class DocumentedRule implements ManifestRule {

    private final RuleInfo info;

    protected DocumentedRule(RuleInfo info) {
        this.info = info;
    }

    @Override
    public final RuleInfo info() {
        return info;
    }
}
