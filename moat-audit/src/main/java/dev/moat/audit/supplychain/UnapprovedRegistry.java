package dev.moat.audit.supplychain;

import dev.moat.audit.Configurable;
import dev.moat.audit.DocumentedRule;
import dev.moat.audit.ManifestRule;
import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.config.RuleSettings;
import dev.moat.kube.Container;
import dev.moat.kube.Inventory;
import dev.moat.kube.Workload;
import java.util.List;
import java.util.function.Consumer;

/**
 * Container images and OCI model images pulled from a registry outside {@code settings.allowedRegistries}.
 * Applies to all workloads. With no allowlist configured there is nothing to compare against and the
 * rule reports nothing: which registries are trusted is a per-organisation decision.
 */
public final class UnapprovedRegistry extends DocumentedRule implements Configurable {

    public static final String SETTING = "allowedRegistries";

    private static final RuleInfo INFO = new RuleInfo("MOAT-SUP-003", Severity.MEDIUM, "supply-chain",
            "Image from a registry outside the allowlist",
            "Only images from registries the organisation controls or mirrors have passed its scanning, signing and "
                    + "retention policies. Inference images and OCI model images (KServe modelcars) from an arbitrary "
                    + "registry bring unreviewed CUDA, Python and model-loading code onto GPU nodes, and the registry "
                    + "owner decides what they contain. The rule applies to all workloads and reports nothing until "
                    + "settings.allowedRegistries is set in .moat.yaml.",
            "Mirror the image into an approved registry and reference it there, or add the registry (or a repository "
                    + "prefix such as ghcr.io/acme) to settings.allowedRegistries in .moat.yaml.",
            List.of("Kubescape C-0001, C-0078", "Trivy KSV-0125", "Kyverno restrict-image-registries",
                    "Polaris (custom check)"));

    private final Registries registries;

    public UnapprovedRegistry() {
        this(new Registries(List.of()));
    }

    private UnapprovedRegistry(Registries registries) {
        super(INFO);
        this.registries = registries;
    }

    @Override
    public ManifestRule configured(RuleSettings settings) {
        return new UnapprovedRegistry(new Registries(settings.list(SETTING, List.of())));
    }

    @Override
    public void check(Inventory inventory, Consumer<Finding> report) {
        if (registries.isEmpty()) {
            return;
        }
        for (Workload w : inventory.workloads()) {
            for (Container c : w.pod().containers()) {
                String image = c.image();
                if (image != null && !image.isBlank() && !Pins.isPlaceholder(image) && !registries.allows(image)) {
                    String where = w.component().isEmpty() ? "" : " in " + w.component();
                    report.accept(finding(w.ref(), c.body().locationOf("image"), c.describe() + where + ": image '"
                            + image + "' comes from " + Registries.registry(image) + ", which is not in "
                            + SETTING, "image: " + image));
                }
            }
        }
        for (ModelUri m : ModelUri.in(inventory)) {
            if (m.isOci() && !registries.allows(m.rest())) {
                report.accept(finding(m.object(), m.location(), m.subject() + ": model image '" + m.rest()
                        + "' comes from " + Registries.registry(m.rest()) + ", which is not in " + SETTING, m.field() + ": " + m.uri()));
            }
        }
    }
}
