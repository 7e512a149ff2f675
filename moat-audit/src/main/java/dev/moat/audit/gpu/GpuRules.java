package dev.moat.audit.gpu;

import dev.moat.audit.ManifestRule;
import java.util.List;

/** The gpu rule family, registered in the catalogue through this list. */
public final class GpuRules {

    private GpuRules() {
    }

    public static List<ManifestRule> all() {
        return List.of(new GpuPodOutsidePool(), new GpuPodWithoutToleration(), new NonGpuPodToleratesGpuTaint(),
                new ToleratesEveryTaint(), new GpuLimitMismatch(), new GpuNodeWithoutTaint());
    }
}
