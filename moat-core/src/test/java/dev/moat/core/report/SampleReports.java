package dev.moat.core.report;

import dev.moat.core.Diagnostic;
import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Report;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.SourceLocation;
import dev.moat.core.Suppression;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.List;

/** Reports that exercise every branch the writers have. */
final class SampleReports {

    /** Looks like a cloud key; the writers must pass it through as rules left it, not re-redact it. */
    static final String SECRET_LIKE_EVIDENCE = "OPENAI_API_KEY=sk-p****(51 chars) AKIAIOSFODNN7EXAMPLE";
    static final String TRICKY_MESSAGE = "Ingress <api> exposes /admin & \"debug\" endpoints\nwithout auth";

    static final RuleInfo PRIVILEGED = new RuleInfo("MOAT-K8S-001", Severity.CRITICAL, "pod-security",
            "Container runs privileged", "A privileged container can take over its node.",
            "Set securityContext.privileged to false.", List.of("kube-linter:privileged-container", "checkov:CKV_K8S_16"));
    static final RuleInfo SECRET_IN_ENV = new RuleInfo("MOAT-AI-004", Severity.HIGH, "secrets",
            "Model API key in plain env var", "Keys in env vars leak through logs and describe output.",
            "Reference a Secret with valueFrom.secretKeyRef.", List.of());
    static final RuleInfo OPEN_INGRESS = new RuleInfo("MOAT-NET-002", Severity.HIGH, "network",
            "Inference endpoint reachable without auth", "Anyone who can reach the ingress can use the model.",
            "Put an auth proxy in front of the endpoint.", List.of());
    static final RuleInfo NO_LIMITS = new RuleInfo("MOAT-K8S-010", Severity.MEDIUM, "resources",
            "No GPU limit", "An unbounded pod can starve others.", "Set resources.limits.", List.of());
    static final RuleInfo UNUSED = new RuleInfo("MOAT-K8S-099", Severity.LOW, "hygiene",
            "Latest image tag", "Mutable tags make rollouts unrepeatable.", "Pin an image digest.", List.of());

    static final ObjectRef API = new ObjectRef("Deployment", "prod", "api");
    static final ObjectRef ADMIN_ROLE = new ObjectRef("ClusterRole", "", "model-admin");

    private SampleReports() {
    }

    static Finding privileged() {
        return new Finding(PRIVILEGED.id(), Severity.CRITICAL, PRIVILEGED.category(), API,
                new SourceLocation("rendered.yaml", 12, 7, "llm/templates/deployment.yaml"),
                "Container 'server' runs privileged", "securityContext.privileged: true", PRIVILEGED.remediation(), null);
    }

    static Finding secretInEnv() {
        return new Finding(SECRET_IN_ENV.id(), Severity.HIGH, SECRET_IN_ENV.category(), API,
                new SourceLocation("k8s\\prod\\api.yaml", 30, 9), "Container 'server' has a model API key in env",
                SECRET_LIKE_EVIDENCE, SECRET_IN_ENV.remediation(), null);
    }

    static Finding openIngress() {
        return new Finding(OPEN_INGRESS.id(), Severity.HIGH, OPEN_INGRESS.category(), new ObjectRef("Ingress", "prod", "api"),
                new SourceLocation("./k8s/prod/ingress.yaml", 4, 3), TRICKY_MESSAGE, "path: /admin", "", null);
    }

    static Finding noLimits() {
        return new Finding(NO_LIMITS.id(), Severity.MEDIUM, NO_LIMITS.category(), API,
                new SourceLocation("k8s/prod/api.yaml", 41, 11), "Container 'server' has no GPU limit", "", NO_LIMITS.remediation(), null);
    }

    /** Line 0: a finding whose parser knew only the file. */
    static Finding suppressedByAnnotation() {
        return new Finding(PRIVILEGED.id(), Severity.CRITICAL, PRIVILEGED.category(), new ObjectRef("DaemonSet", "kube-system", "gpu-driver"),
                new SourceLocation("k8s/system/gpu driver.yaml", 0, 0), "Container 'driver' runs privileged",
                "securityContext.privileged: true", PRIVILEGED.remediation(),
                new Suppression(Suppression.Source.ANNOTATION, "GPU driver needs host access", LocalDate.of(2027, 1, 31)));
    }

    static Finding suppressedByConfig() {
        return new Finding("MOAT-RBAC-003", Severity.HIGH, "rbac", ADMIN_ROLE,
                new SourceLocation("/abs/cluster/rbac.yaml", 2, 1), "ClusterRole grants '*' on secrets", "verbs: ['*']", "",
                new Suppression(Suppression.Source.CONFIG, "reviewed in SEC-42", null));
    }

    static Diagnostic unreadable() {
        return new Diagnostic(new SourceLocation("k8s/broken.yaml", 4, 3), "could not parse YAML: mapping values are not allowed here");
    }

    /**
     * Fails on HIGH: three blocking findings (one critical, two high), one medium below the threshold,
     * two suppressed, one unreadable input. MOAT-RBAC-003 has no RuleInfo on purpose and MOAT-K8S-099
     * ran without findings.
     */
    static Report full() {
        return new Report("scan", "0.1.0-SNAPSHOT", List.of(PRIVILEGED, SECRET_IN_ENV, OPEN_INGRESS, NO_LIMITS, UNUSED), 12,
                List.of(unreadable()),
                List.of(noLimits(), suppressedByConfig(), openIngress(), privileged(), suppressedByAnnotation(), secretInEnv()),
                Severity.HIGH);
    }

    static Report clean() {
        return new Report("scan", "0.1.0-SNAPSHOT", List.of(PRIVILEGED), 3, List.of(), List.of(), Severity.HIGH);
    }

    static Report with(List<Finding> findings) {
        return new Report("scan", "0.1.0-SNAPSHOT", List.of(PRIVILEGED, SECRET_IN_ENV, OPEN_INGRESS, NO_LIMITS), 1,
                List.of(), findings, Severity.HIGH);
    }

    static String render(ReportFormat format, Report report, ReportOptions options) {
        StringWriter out = new StringWriter();
        try {
            format.write(report, options, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static String render(ReportFormat format, Report report) {
        return render(format, report, ReportOptions.DEFAULT);
    }
}
