package dev.moat.audit;

import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.SourceLocation;
import dev.moat.kube.AiWorkloads;
import dev.moat.kube.Container;
import dev.moat.kube.Inventory;
import dev.moat.kube.Workload;
import java.util.function.Consumer;

/**
 * A rule that looks at each container of each workload on its own. Subclasses say what is wrong with
 * one container; this class names the workload and container in every message.
 */
public abstract class ContainerRule extends DocumentedRule {

    protected ContainerRule(RuleInfo info) {
        super(info);
    }

    @Override
    public final void check(Inventory inventory, Consumer<Finding> report) {
        for (Workload w : inventory.workloads()) {
            for (Container c : w.pod().containers()) {
                check(w, c, new Reporter(w, c, report));
            }
        }
    }

    protected abstract void check(Workload workload, Container container, Reporter report);

    /** Reports findings about one container, optionally more severe on AI workloads. */
    protected final class Reporter {
        private final Workload workload;
        private final Container container;
        private final Consumer<Finding> sink;

        Reporter(Workload workload, Container container, Consumer<Finding> sink) {
            this.workload = workload;
            this.container = container;
            this.sink = sink;
        }

        public void report(SourceLocation at, String problem, String evidence) {
            sink.accept(finding(workload.ref(), at, subject() + ": " + problem, evidence));
        }

        /** Reports at {@code aiSeverity} instead of the documented one when the workload serves or trains models. */
        public void reportGradedForAi(SourceLocation at, String problem, String evidence, Severity aiSeverity) {
            Finding f = finding(workload.ref(), at, subject() + ": " + problem, evidence);
            sink.accept(AiWorkloads.isAi(workload) ? f.withSeverity(aiSeverity) : f);
        }

        private String subject() {
            String where = workload.component().isEmpty() ? "" : " in " + workload.component();
            return container.describe() + where;
        }
    }
}
