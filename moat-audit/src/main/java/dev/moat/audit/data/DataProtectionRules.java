package dev.moat.audit.data;

import dev.moat.audit.ManifestRule;
import java.util.List;

/** The data rule family, registered in the catalogue through this list. */
public final class DataProtectionRules {

    private DataProtectionRules() {
    }

    public static List<ManifestRule> all() {
        return List.of(new UnencryptedModelStorage(), new HostPathVolume(), new TrainingEgressNotIsolated());
    }
}
