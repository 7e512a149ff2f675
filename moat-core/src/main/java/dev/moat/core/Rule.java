package dev.moat.core;

import java.util.function.Consumer;

/**
 * A small, independent check over some input (for manifests, the loaded inventory). Rules report at
 * their documented severity; configuration overrides are applied afterwards by the pipeline.
 */
public interface Rule<I> {

    RuleInfo info();

    void check(I input, Consumer<Finding> report);

    /** A finding of this rule at its documented severity and category. */
    default Finding finding(ObjectRef object, SourceLocation at, String message, String evidence) {
        RuleInfo info = info();
        return new Finding(info.id(), info.severity(), info.category(), object, at, message, evidence,
                info.remediation(), null);
    }
}
