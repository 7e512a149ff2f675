package dev.moat.audit;

import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.SourceLocation;
import dev.moat.kube.Inventory;
import dev.moat.kube.Workload;
import java.util.function.Consumer;

/**
 * A rule that looks at each pod spec on its own (scheduling, volumes, pod-level fields), the pod-level
 * counterpart of {@link ContainerRule}: it names the workload's component in every message.
 */
public abstract class PodRule extends DocumentedRule {

    protected PodRule(RuleInfo info) {
        super(info);
    }

    @Override
    public final void check(Inventory inventory, Consumer<Finding> report) {
        for (Workload w : inventory.workloads()) {
            check(w, new Reporter(w, report));
        }
    }

    protected abstract void check(Workload workload, Reporter report);

    /** Reports findings about one pod. */
    protected final class Reporter {
        private final Workload workload;
        private final Consumer<Finding> sink;

        Reporter(Workload workload, Consumer<Finding> sink) {
            this.workload = workload;
            this.sink = sink;
        }

        public void report(SourceLocation at, String problem, String evidence) {
            sink.accept(finding(workload.ref(), at, subject() + problem, evidence));
        }

        /** Reports at {@code severity} instead of the documented one. */
        public void report(SourceLocation at, String problem, String evidence, Severity severity) {
            sink.accept(finding(workload.ref(), at, subject() + problem, evidence).withSeverity(severity));
        }

        private String subject() {
            return workload.component().isEmpty() ? "pod: " : "pod in " + workload.component() + ": ";
        }
    }
}
