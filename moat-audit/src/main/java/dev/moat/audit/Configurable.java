package dev.moat.audit;

import dev.moat.core.config.RuleSettings;

/**
 * A rule with knobs in {@code .moat.yaml}'s {@code settings:}. Rules stay immutable: the catalogue
 * asks for a copy configured for the run.
 */
public interface Configurable {

    ManifestRule configured(RuleSettings settings);
}
