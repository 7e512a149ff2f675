package dev.moat.audit.rbac;

import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.kube.Inventory;
import java.util.List;
import java.util.Optional;

/** Reading Secrets everywhere, or in a namespace other than the subject's own. */
final class SecretReaders extends GrantRule {

    private static final List<Permission> READ_SECRETS = Permission.namespaced("", List.of("secrets"), Permission.READ_VERBS);

    SecretReaders(Platform platform) {
        super(new RuleInfo("MOAT-RBC-003", Severity.HIGH, "rbac", "Secrets readable cluster-wide or across namespaces",
                "get, list and watch on secrets each reveal the values: list and watch return every Secret with its data. "
                        + "Granted through a ClusterRoleBinding, or to a service account of another namespace, this hands over "
                        + "model-hub tokens, API keys of hosted LLMs, object-store credentials holding weights and datasets, and "
                        + "service-account tokens of other teams. Reading secrets in one's own namespace through a RoleBinding is "
                        + "not reported, nor rules limited to named secrets (resourceNames).",
                "Grant secret access with a RoleBinding in the namespace that owns the secrets, restricted with resourceNames "
                        + "to the secrets the subject needs; better, mount the secrets into the pods that use them and grant no "
                        + "API access at all.",
                List.of("kube-linter access-to-secrets", "Kubescape C-0015, C-0186", "Checkov CKV2_K8S_5",
                        "Trivy KSV-0041, KSV-0113", "Kyverno restrict-secret-role-verbs", "Datree CIS_INVALID_VERB_SECRETS")),
                platform);
    }

    @Override
    GrantRule withPlatform(Platform platform) {
        return new SecretReaders(platform);
    }

    @Override
    Optional<Risk> risk(Grant grant, Inventory inventory) {
        String home = grant.subject().homeNamespace();
        if (grant.clusterWide()) {
            return granted(grant, READ_SECRETS, "read the secrets of every namespace");
        }
        if (!home.isEmpty() && !home.equals(grant.namespace())) {
            return granted(grant, READ_SECRETS, "read the secrets of namespace " + grant.namespace() + " from namespace " + home);
        }
        return Optional.empty();
    }
}
