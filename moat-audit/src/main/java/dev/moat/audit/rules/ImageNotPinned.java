package dev.moat.audit.rules;

import dev.moat.audit.ContainerRule;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.util.List;

/** Only a digest names exactly one image; tags can be moved to point at anything. */
public final class ImageNotPinned extends ContainerRule {

    public ImageNotPinned() {
        super(new RuleInfo("MOAT-SUP-001", Severity.MEDIUM, "supply-chain", "Image not pinned by digest",
                "A tag is a mutable pointer: whoever can push to the repository can change what runs next time a "
                        + "GPU node pulls it, and two replicas can run different code. Inference images are large and "
                        + "bundle CUDA, Python and model-loading code, which makes them attractive to tamper with.",
                "Reference the image by digest (image: registry/repo@sha256:...), optionally keeping the tag for "
                        + "readability (repo:tag@sha256:...); let a bot such as Renovate bump digests.",
                List.of("Kubescape C-0306", "Checkov CKV_K8S_43", "Kyverno require-image-checksum",
                        "Datree CONTAINERS_MISSING_IMAGE_VALUE_DIGEST")));
    }

    @Override
    protected void check(Workload workload, Container container, Reporter report) {
        String image = container.image();
        if (image == null || image.isBlank()) {
            return;
        }
        if (!ImageReference.parse(image).pinnedByDigest()) {
            report.report(container.body().locationOf("image"), "image '" + image + "' is not pinned by digest",
                    "image: " + image);
        }
    }
}
