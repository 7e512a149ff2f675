package dev.moat.audit.runtime;

import dev.moat.audit.ManifestRule;
import java.util.List;

/** The runtime rule family, registered in the catalogue through this list. */
public final class RuntimeRules {

    private RuntimeRules() {
    }

    public static List<ManifestRule> all() {
        return List.of(new DangerousCapabilities(), new CapabilitiesNotDropped(), new WritableRootFilesystem(),
                Seccomp.unconfined(), Seccomp.missing(), new HostPort(), new RuntimeSocketMount(), new CryptoMiner(),
                new NamespaceWithoutPodSecurity(), new UnmonitoredGpuNodes());
    }
}
