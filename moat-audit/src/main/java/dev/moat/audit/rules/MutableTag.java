package dev.moat.audit.rules;

import dev.moat.audit.ContainerRule;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.util.List;

/** ':latest' or no tag at all: what runs changes with every push and every node. */
public final class MutableTag extends ContainerRule {

    public MutableTag() {
        super(new RuleInfo("MOAT-SUP-002", Severity.MEDIUM, "supply-chain", "Image uses :latest or no tag",
                "':latest' (also what an untagged image means) changes with every push, and with imagePullPolicy "
                        + "defaulting to Always for it, each node can run a different build of the model server. "
                        + "Rollbacks cannot return to a known state.",
                "Use an immutable version tag, and better a digest (see MOAT-SUP-001).",
                List.of("kube-linter latest-tag", "kube-score container-image-tag", "Polaris tagNotSpecified",
                        "Kubescape C-0075", "Checkov CKV_K8S_14", "Trivy KSV-0013", "Kyverno disallow-latest-tag")));
    }

    @Override
    protected void check(Workload workload, Container container, Reporter report) {
        String image = container.image();
        if (image == null || image.isBlank()) {
            return;
        }
        ImageReference ref = ImageReference.parse(image);
        if (ref.digest() == null && (ref.tag() == null || ref.tag().equals("latest"))) {
            report.report(container.body().locationOf("image"),
                    ref.tag() == null ? "image '" + image + "' has no tag (means :latest)" : "image '" + image + "' uses :latest",
                    "image: " + image);
        }
    }
}
