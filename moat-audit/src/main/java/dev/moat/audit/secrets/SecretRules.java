package dev.moat.audit.secrets;

import dev.moat.audit.ManifestRule;
import java.util.List;

/** The secrets rule family, registered in the catalogue through this list. */
public final class SecretRules {

    private SecretRules() {
    }

    public static List<ManifestRule> all() {
        return List.of(StoredCredential.inConfigMaps(), StoredCredential.inSecrets(), new CommittedSecret(),
                new CredentialInAnnotation(), new ExternalSecretRotation(), new SecretEnvInAiWorkload(),
                new AutomountedToken());
    }
}
