package dev.moat.audit.data;

import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a StorageClass's parameters say about encryption at rest, for the provisioners whose
 * parameters decide it. Other provisioners (NFS, EFS, Ceph, local volumes) encrypt elsewhere or not
 * at all, which the manifests cannot show, so they are not judged.
 */
enum StorageEncryption {

    /** EBS volumes are plaintext unless asked for, or unless the account enforces encryption by default. */
    AWS_EBS("AWS EBS", Set.of("ebs.csi.aws.com", "kubernetes.io/aws-ebs"), "encrypted", Severity.HIGH),
    /** PD is always encrypted with Google-managed keys; a customer-managed key is what the user controls. */
    GCE_PD("GCE PD", Set.of("pd.csi.storage.gke.io", "kubernetes.io/gce-pd"), "disk-encryption-kms-key", Severity.MEDIUM),
    /** Azure disks likewise default to platform-managed keys; a disk encryption set brings the customer's key. */
    AZURE_DISK("Azure disk", Set.of("disk.csi.azure.com", "kubernetes.io/azure-disk"), "diskEncryptionSetID", Severity.MEDIUM);

    private final String provider;
    private final Set<String> provisioners;
    private final String parameter;
    private final Severity severity;

    StorageEncryption(String provider, Set<String> provisioners, String parameter, Severity severity) {
        this.provider = provider;
        this.provisioners = provisioners;
        this.parameter = parameter;
        this.severity = severity;
    }

    static Optional<StorageEncryption> forProvisioner(String provisioner) {
        return List.of(values()).stream().filter(e -> e.provisioners.contains(provisioner)).findFirst();
    }

    String provider() {
        return provider;
    }

    String parameter() {
        return parameter;
    }

    Severity severity() {
        return severity;
    }

    /** Whether the StorageClass's {@code parameters} ask for encryption (Azure's keys are case-insensitive). */
    boolean encrypts(YamlMap parameters) {
        if (parameters == null) {
            return false;
        }
        return parameters.fields().stream()
                .filter(e -> e.key().equalsIgnoreCase(parameter))
                .map(e -> e.value().text())
                .anyMatch(v -> v != null && !v.isBlank() && (this != AWS_EBS || v.trim().equalsIgnoreCase("true")));
    }
}
