package dev.moat.audit.secrets;

import dev.moat.audit.DocumentedRule;
import dev.moat.audit.SecretPatterns;
import dev.moat.core.Finding;
import dev.moat.core.Redaction;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import dev.moat.core.yaml.YamlNode;
import dev.moat.core.yaml.YamlSeq;
import dev.moat.kube.Inventory;
import dev.moat.kube.KubeObject;
import java.util.List;
import java.util.function.Consumer;

/**
 * A recognised credential in an annotation of any object, pod templates included. Annotations are
 * metadata: every role that can list the object reads them, and controllers copy them to the objects
 * they create (the kubectl last-applied-configuration copy carries a whole Secret's stringData).
 */
public final class CredentialInAnnotation extends DocumentedRule {

    private static final RuleInfo INFO = new RuleInfo("MOAT-SEC-006", Severity.CRITICAL, "secrets",
            "Credential in an annotation",
            "Annotations are never confidential: they are returned by every get/list/watch on the object, copied "
                    + "by operators (KServe, KubeRay) onto the pods and services they create, and kept by kubectl in "
                    + "last-applied-configuration. A provider or hub key there reaches everyone who can read the object.",
            "Revoke the key, remove it from the annotation (and from last-applied-configuration by re-applying), and "
                    + "pass it through a Secret referenced by the workload.",
            List.of("Kubescape C-0012 (sensitiveValues)", "gitleaks", "trufflehog"));

    public CredentialInAnnotation() {
        super(INFO);
    }

    @Override
    public void check(Inventory inventory, Consumer<Finding> report) {
        for (KubeObject o : inventory.objects()) {
            scan(o, o.body(), report);
        }
    }

    /** Visits every {@code metadata.annotations} map, the object's own and those of nested templates. */
    private void scan(KubeObject o, YamlNode node, Consumer<Finding> report) {
        if (node instanceof YamlSeq seq) {
            seq.items().forEach(item -> scan(o, item, report));
        }
        if (!(node instanceof YamlMap map)) {
            return;
        }
        YamlMap annotations = map.path("metadata", "annotations");
        if (annotations != null) {
            for (YamlMap.Entry e : annotations.fields()) {
                String value = e.value().text();
                SecretPatterns.find(value == null ? null : e.key() + "=" + value).ifPresent(m -> report.accept(
                        finding(o.ref(), e.keyLocation(), m.kind() + " in annotation " + e.key(),
                                e.key() + " = " + Redaction.redact(m.secret()))));
            }
        }
        for (YamlMap.Entry e : map.fields()) {
            if (!e.key().equals("metadata")) {
                scan(o, e.value(), report);
            }
        }
    }
}
