package dev.moat.cli;

import dev.moat.core.RuleInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code moat rules}: the catalogue, from the same metadata the findings carry. */
@Command(name = "rules", mixinStandardHelpOptions = true,
        description = "List the rules (ID, severity, title), or explain one rule: its rationale, remediation and peer checks.")
final class RulesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "RULE-ID", description = "Explain this rule.")
    String ruleId;

    @Option(names = "--markdown", description = "Print the full rule reference as Markdown (the source of docs/rules.md).")
    boolean markdown;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (markdown) {
            out.print(RuleDocs.markdown(RuleIndex.all()));
        } else if (ruleId == null) {
            list(out, RuleIndex.all());
        } else {
            RuleInfo rule = RuleIndex.find(ruleId)
                    .orElseThrow(() -> new UsageError("unknown rule '" + ruleId + "' (run 'moat rules' for the list)"));
            out.print(RuleDocs.explain(rule));
        }
        out.flush();
        return 0;
    }

    private static void list(PrintWriter out, List<RuleInfo> rules) {
        out.printf("%-14s %-9s %-13s %s%n", "ID", "SEVERITY", "CATEGORY", "TITLE");
        for (RuleInfo r : rules) {
            out.printf("%-14s %-9s %-13s %s%n", r.id(), r.severity().label(), r.category(), r.title());
        }
    }
}
