package dev.moat.audit.resources;

import dev.moat.audit.ManifestRule;
import java.util.List;

/** The resources rule family, registered in the catalogue through this list. */
public final class ResourceRules {

    private ResourceRules() {
    }

    public static List<ManifestRule> all() {
        return List.of(new MemoryVolumeWithoutSizeLimit(), new ModelDownloadWithoutEphemeralLimit(),
                new AiNamespaceWithoutQuota(), new QuotaWithoutAcceleratorCap());
    }
}
