package dev.moat.audit.data;

import dev.moat.audit.Configurable;
import dev.moat.audit.DocumentedRule;
import dev.moat.audit.ManifestRule;
import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.config.RuleSettings;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.AiWorkloads;
import dev.moat.kube.Inventory;
import dev.moat.kube.KubeObject;
import dev.moat.kube.Workload;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** Volumes of AI workloads provisioned by a StorageClass that does not ask for encryption. */
public final class UnencryptedModelStorage extends DocumentedRule implements Configurable {

    private static final RuleInfo INFO = new RuleInfo("MOAT-DAT-001", Severity.MEDIUM, "data",
            "AI workload volume on an unencrypted StorageClass",
            "Persistent volumes of model servers and training jobs hold fine-tuned weights, checkpoints, datasets and "
                    + "caches of prompts: an unencrypted disk leaks them through snapshots, detached volumes and "
                    + "decommissioned hardware. AWS EBS volumes are plaintext unless the StorageClass sets encrypted: "
                    + "\"true\" (graded high); GCE PD and Azure disks fall back to provider-managed keys without "
                    + "disk-encryption-kms-key or diskEncryptionSetID. Checked for claims of AI workloads (PVCs, "
                    + "StatefulSet claim templates, ephemeral volumes) whose StorageClass is in the inputs; "
                    + "settings.encryptedStorageClasses names classes encrypted by other means (account-level EBS "
                    + "default encryption, an admission policy).",
            "Set parameters.encrypted: \"true\" (with kmsKeyId) on EBS StorageClasses, disk-encryption-kms-key on GCE PD, "
                    + "diskEncryptionSetID on Azure disk, and move the claim to that class.",
            List.of("no equivalent in the general scanners (Kyverno restrict-storageclass is a generic allowlist)"));

    private final Set<String> encryptedClasses;

    public UnencryptedModelStorage() {
        this(List.of());
    }

    private UnencryptedModelStorage(List<String> encryptedClasses) {
        super(INFO);
        this.encryptedClasses = Set.copyOf(encryptedClasses);
    }

    @Override
    public ManifestRule configured(RuleSettings settings) {
        return new UnencryptedModelStorage(settings.list("encryptedStorageClasses", List.of()));
    }

    /** A claim's spec wherever it is written, and the object a finding about it names. */
    private record Claim(ObjectRef object, String name, YamlMap spec) {
    }

    @Override
    public void check(Inventory inventory, Consumer<Finding> report) {
        Set<String> reported = new HashSet<>();
        for (Workload w : inventory.workloads()) {
            if (!AiWorkloads.isAi(w)) {
                continue;
            }
            for (Claim claim : claims(inventory, w)) {
                Optional<KubeObject> sc = storageClass(inventory, claim.spec());
                if (sc.isEmpty() || encryptedClasses.contains(sc.get().name())) {
                    continue;
                }
                String provisioner = sc.get().body().text("provisioner");
                Optional<StorageEncryption> kind = StorageEncryption.forProvisioner(provisioner);
                YamlMap parameters = sc.get().body().map("parameters");
                if (kind.isEmpty() || kind.get().encrypts(parameters)
                        || !reported.add(claim.spec().location().toString())) {
                    continue;
                }
                report.accept(finding(claim.object(), claim.spec().locationOf("storageClassName"),
                        claim.name() + " of " + w.describe() + " is on StorageClass " + sc.get().name() + ", whose "
                                + kind.get().provider() + " volumes do not set " + kind.get().parameter(),
                        "StorageClass " + sc.get().name() + ": provisioner " + provisioner + ", parameters."
                                + kind.get().parameter() + " " + describe(parameters, kind.get().parameter()))
                        .withSeverity(kind.get().severity()));
            }
        }
    }

    private static List<Claim> claims(Inventory inventory, Workload w) {
        List<Claim> out = new ArrayList<>();
        for (YamlMap volume : w.pod().volumes()) {
            String claimName = volume.path("persistentVolumeClaim") == null ? null
                    : volume.path("persistentVolumeClaim").text("claimName");
            if (claimName != null) {
                inventory.ofKind("PersistentVolumeClaim").stream()
                        .filter(p -> p.group().isEmpty() && p.namespace().equals(w.namespace()) && p.name().equals(claimName))
                        .findFirst()
                        .ifPresent(pvc -> out.add(new Claim(pvc.ref(), "PVC " + claimName, pvc.spec())));
            }
            YamlMap ephemeral = volume.path("ephemeral", "volumeClaimTemplate", "spec");
            if (ephemeral != null) {
                out.add(new Claim(w.ref(), "ephemeral volume '" + volume.text("name") + "'", ephemeral));
            }
        }
        if (w.owner().kind().equals("StatefulSet")) {
            for (YamlMap template : w.owner().spec().maps("volumeClaimTemplates")) {
                YamlMap spec = template.map("spec");
                String name = template.path("metadata") == null ? "" : template.path("metadata").text("name");
                if (spec != null) {
                    out.add(new Claim(w.ref(), "claim template '" + name + "'", spec));
                }
            }
        }
        return out;
    }

    /** The claim's class; without storageClassName, the inputs' default class. An empty name binds a static PV. */
    private static Optional<KubeObject> storageClass(Inventory inventory, YamlMap claimSpec) {
        String name = claimSpec.text("storageClassName");
        if (claimSpec.get("storageClassName") != null && (name == null || name.isEmpty())) {
            return Optional.empty();
        }
        return inventory.ofKind("StorageClass").stream()
                .filter(sc -> sc.group().equals("storage.k8s.io"))
                .filter(sc -> name == null ? "true".equals(sc.annotation("storageclass.kubernetes.io/is-default-class"))
                        : sc.name().equals(name))
                .findFirst();
    }

    private static String describe(YamlMap parameters, String parameter) {
        String value = parameters == null ? null : parameters.fields().stream()
                .filter(e -> e.key().equalsIgnoreCase(parameter)).map(e -> e.value().text()).findFirst().orElse(null);
        return value == null ? "unset" : "= " + value;
    }
}
