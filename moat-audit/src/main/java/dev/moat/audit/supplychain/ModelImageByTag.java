package dev.moat.audit.supplychain;

import dev.moat.audit.DocumentedRule;
import dev.moat.audit.rules.ImageReference;
import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.kube.Inventory;
import java.util.List;
import java.util.function.Consumer;

/**
 * An OCI model URI ({@code oci://}, {@code oci+native://} and the like: KServe modelcars) that names
 * the model image by tag instead of digest; the model counterpart of MOAT-SUP-001 for images.
 */
public final class ModelImageByTag extends DocumentedRule {

    private static final RuleInfo INFO = new RuleInfo("MOAT-SUP-006", Severity.MEDIUM, "supply-chain",
            "Model image referenced by tag instead of digest",
            "An OCI model image (a KServe modelcar) is pulled by the kubelet like any image: its tag is a mutable "
                    + "pointer, so whoever can push to the repository can swap the weights that serve traffic, and nodes "
                    + "that pulled at different times serve different models.",
            "Reference the model image by digest (oci://registry/repo@sha256:...), keeping the tag for readability "
                    + "if wanted (repo:tag@sha256:...).",
            List.of("Kubescape C-0306 (images)", "Checkov CKV_K8S_43 (images)", "Kyverno require-image-checksum (images)"));

    public ModelImageByTag() {
        super(INFO);
    }

    @Override
    public void check(Inventory inventory, Consumer<Finding> report) {
        for (ModelUri m : ModelUri.in(inventory)) {
            if (!m.isOci()) {
                continue;
            }
            ImageReference ref = ImageReference.parse(m.rest());
            if (!ref.pinnedByDigest()) {
                String how = ref.tag() == null ? "has neither tag nor digest" : "uses tag '" + ref.tag() + "', not a digest";
                report.accept(finding(m.object(), m.location(), m.subject() + ": model image '" + m.rest() + "' " + how,
                        m.field() + ": " + m.uri()));
            }
        }
    }
}
