package dev.moat.audit.rbac;

import static dev.moat.audit.Manifests.at;
import static dev.moat.audit.Manifests.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.audit.ManifestRule;
import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Severity;
import dev.moat.core.config.RuleSettings;
import dev.moat.core.yaml.YamlLimits;
import dev.moat.core.yaml.YamlMap;
import dev.moat.core.yaml.YamlReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class RbacRulesTest {

    private static final Platform P = Platform.DEFAULT;

    private static String role(String kind, String ns, String name, String rules) {
        String meta = ns == null ? "" : "  namespace: " + ns + "\n";
        return "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: " + kind + "\nmetadata:\n  name: " + name + "\n" + meta
                + "rules:\n" + rules;
    }

    private static String binding(String kind, String ns, String name, String roleKind, String roleName, String subjects) {
        String meta = ns == null ? "" : "  namespace: " + ns + "\n";
        return "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: " + kind + "\nmetadata:\n  name: " + name + "\n" + meta
                + "roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: " + roleKind + "\n  name: " + roleName + "\n"
                + "subjects:\n" + subjects;
    }

    private static String sa(String ns, String name) {
        return "- kind: ServiceAccount\n  name: " + name + "\n  namespace: " + ns + "\n";
    }

    private static String user(String name) {
        return "- kind: User\n  name: " + name + "\n  apiGroup: rbac.authorization.k8s.io\n";
    }

    private static String group(String name) {
        return "- kind: Group\n  name: " + name + "\n  apiGroup: rbac.authorization.k8s.io\n";
    }

    private static final String VLLM = "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: vllm\n  namespace: ml\n"
            + "spec:\n  template:\n    spec:\n      containers:\n      - name: server\n        image: vllm/vllm-openai:v0.6.3\n";

    // --- the model -------------------------------------------------------------------------------------

    @Test
    void aggregatedClusterRoleIsTheUnionOfTheRolesItSelects() {
        String yaml = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ml-admin\n"
                + "aggregationRule:\n  clusterRoleSelectors:\n  - matchLabels:\n      moat.test/aggregate-to-ml: \"true\"\nrules: []\n"
                + "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ml-exec\n"
                + "  labels:\n    moat.test/aggregate-to-ml: \"true\"\nrules:\n- apiGroups: [\"\"]\n  resources: [pods/exec]\n  verbs: [create]\n"
                + role("ClusterRole", null, "unrelated", "- apiGroups: [\"\"]\n  resources: [secrets]\n  verbs: [get]\n")
                + binding("ClusterRoleBinding", null, "ml-admins", "ClusterRole", "ml-admin", user("alice"));

        assertThat(run(new PodExec(P), yaml)).singleElement().satisfies(f -> {
            assertThat(f.ruleId()).isEqualTo("MOAT-RBC-005");
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
            assertThat(f.object()).isEqualTo(new ObjectRef("ClusterRoleBinding", "", "ml-admins"));
            assertThat(f.message()).isEqualTo("User alice can exec into pods in every namespace (create pods/exec) through ClusterRole ml-admin");
            assertThat(f.evidence()).isEqualTo("ClusterRoleBinding ml-admins -> ClusterRole ml-admin: "
                    + "pods/exec [create] in apiGroups [\"\"] at test.yaml:18:3");
        });
        assertThat(run(new SecretReaders(P), yaml)).as("the unlabelled role is not aggregated").isEmpty();
    }

    @Test
    void roleBindingToAClusterRoleGrantsOnlyNamespacedResourcesInItsNamespace() {
        String rbac = "- apiGroups: [rbac.authorization.k8s.io]\n  resources: [clusterroles, clusterrolebindings]\n  verbs: [create, update]\n";
        String viaRoleBinding = role("ClusterRole", null, "rbac-writer", rbac)
                + binding("RoleBinding", "ml", "writers", "ClusterRole", "rbac-writer", user("bob"));
        assertThat(run(new PolicyWriters(P), viaRoleBinding)).isEmpty();

        String viaClusterBinding = role("ClusterRole", null, "rbac-writer", rbac)
                + binding("ClusterRoleBinding", null, "writers", "ClusterRole", "rbac-writer", user("bob"));
        assertThat(run(new PolicyWriters(P), viaClusterBinding)).singleElement().satisfies(f -> {
            assertThat(f.ruleId()).isEqualTo("MOAT-RBC-004");
            assertThat(f.message()).isEqualTo("User bob can change network isolation or RBAC in every namespace "
                    + "(create, update clusterroles; create, update clusterrolebindings) through ClusterRole rbac-writer");
            assertThat(at(f)).isEqualTo("21:3");
        });
    }

    @Test
    void roleRefToARoleInAnotherNamespaceGrantsNothing() {
        String yaml = role("Role", "other", "exec", "- apiGroups: [\"\"]\n  resources: [pods/exec]\n  verbs: [create]\n")
                + binding("RoleBinding", "ml", "b", "Role", "exec", user("bob"));
        assertThat(run(new PodExec(P), yaml)).isEmpty();
    }

    @Test
    void resourceMatchingFollowsTheAuthorizer() {
        Permission exec = new Permission("create", "", "pods/exec", false, false);
        List<String> core = List.of("");
        assertThat(PolicyRule.builtIn(core, List.of("pods"), List.of("create")).allows(exec)).as("pods is not pods/exec").isFalse();
        assertThat(PolicyRule.builtIn(core, List.of("*/exec"), List.of("create")).allows(exec)).isTrue();
        assertThat(PolicyRule.builtIn(List.of("*"), List.of("*"), List.of("create")).allows(exec)).isTrue();
        assertThat(PolicyRule.builtIn(List.of("apps"), List.of("*"), List.of("*")).allows(exec)).as("other group").isFalse();
        assertThat(PolicyRule.builtIn(core, List.of("pods/exec"), List.of("get")).allows(exec)).as("other verb").isFalse();
    }

    // --- the rules -------------------------------------------------------------------------------------

    @Test
    void clusterAdminIsCriticalClusterWideHighInANamespaceAndTheOnlyFinding() {
        String crb = binding("ClusterRoleBinding", null, "ops", "ClusterRole", "cluster-admin", user("alice") + user("system:kube-controller-manager"));
        assertThat(run(new ClusterAdminGrant(P), crb)).singleElement().satisfies(f -> {
            assertThat(f.ruleId()).isEqualTo("MOAT-RBC-001");
            assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(at(f)).isEqualTo("12:3");
            assertThat(f.message()).isEqualTo("User alice can do anything in every namespace (* verbs on * resources) "
                    + "through ClusterRole cluster-admin (built-in)");
        });
        for (ManifestRule other : List.of(new SecretReaders(P), new PodExec(P), new EscalationVerbs(P), new PolicyWriters(P))) {
            assertThat(run(other, crb)).as(other.info().id()).isEmpty();
        }

        String equivalent = role("Role", "ml", "all", "- apiGroups: [\"*\"]\n  resources: [\"*\"]\n  verbs: [\"*\"]\n")
                + binding("RoleBinding", "ml", "team", "Role", "all", sa("ml", "notebook"));
        assertThat(run(new ClusterAdminGrant(P), equivalent)).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
            assertThat(f.message()).startsWith("ServiceAccount ml/notebook can do anything in namespace ml");
        });
        assertThat(run(new ClusterAdminGrant(P), binding("ClusterRoleBinding", null, "v", "ClusterRole", "view", user("alice"))))
                .isEmpty();
    }

    @Test
    void platformSubjectsAreConfigurable() {
        String yaml = binding("ClusterRoleBinding", null, "gitops", "ClusterRole", "cluster-admin",
                sa("argocd", "argocd-application-controller") + sa("kube-system", "ci"));
        assertThat(run(new ClusterAdminGrant(P), yaml)).extracting(Finding::message)
                .singleElement().asString().startsWith("ServiceAccount argocd/argocd-application-controller");
        YamlMap settings = (YamlMap) new YamlReader(YamlLimits.DEFAULT)
                .read("moat.yaml", "platformSubjects: [argocd/*]\n").documents().get(0).root();
        assertThat(run(new ClusterAdminGrant(P).configured(new RuleSettings(settings)), yaml))
                .as("argocd listed; kube-system no longer a default once the list is set").singleElement()
                .satisfies(f -> assertThat(f.message()).startsWith("ServiceAccount kube-system/ci"));
    }

    @Test
    void wildcardsAreReportedAtTheFieldAndGradedByApiGroup() {
        String yaml = role("ClusterRole", null, "ops", "- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [\"*\"]\n"
                + "- apiGroups: [ray.io]\n  resources: [\"*\"]\n  verbs: [get]\n"
                + "- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get]\n")
                + role("ClusterRole", null, "system:controller:foo", "- apiGroups: [\"*\"]\n  resources: [\"*\"]\n  verbs: [\"*\"]\n");
        assertThat(run(new Wildcards(), yaml)).extracting(Finding::ruleId, Finding::severity, f -> at(f), Finding::evidence)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("MOAT-RBC-002", Severity.HIGH, "9:3", "verbs: [\"*\"]"),
                        org.assertj.core.groups.Tuple.tuple("MOAT-RBC-002", Severity.MEDIUM, "11:3", "resources: [\"*\"]"));
    }

    @Test
    void secretsAreReportedClusterWideAndAcrossNamespacesOnly() {
        String read = role("ClusterRole", null, "secret-reader", "- apiGroups: [\"\"]\n  resources: [secrets]\n  verbs: [list]\n");
        String sameNamespace = read + binding("RoleBinding", "ml", "own", "ClusterRole", "secret-reader", sa("ml", "loader"));
        assertThat(run(new SecretReaders(P), sameNamespace)).isEmpty();

        String otherNamespace = read + binding("RoleBinding", "ml", "cross", "ClusterRole", "secret-reader", sa("web", "frontend"));
        assertThat(run(new SecretReaders(P), otherNamespace)).singleElement().satisfies(f -> {
            assertThat(f.ruleId()).isEqualTo("MOAT-RBC-003");
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
            assertThat(f.message()).isEqualTo("ServiceAccount web/frontend can read the secrets of namespace ml from namespace web "
                    + "(list secrets) through ClusterRole secret-reader");
        });

        String clusterWide = read + binding("ClusterRoleBinding", null, "all", "ClusterRole", "secret-reader", group("ml-team"));
        assertThat(run(new SecretReaders(P), clusterWide)).singleElement()
                .satisfies(f -> assertThat(f.message()).startsWith("Group ml-team can read the secrets of every namespace"));

        String named = role("ClusterRole", null, "one", "- apiGroups: [\"\"]\n  resources: [secrets]\n  resourceNames: [hf]\n  verbs: [get]\n")
                + binding("ClusterRoleBinding", null, "one", "ClusterRole", "one", user("alice"));
        assertThat(run(new SecretReaders(P), named)).isEmpty();
    }

    @Test
    void builtInEditGrantsExecAndImpersonationButViewDoesNot() {
        String edit = binding("RoleBinding", "ml", "devs", "ClusterRole", "edit", group("ml-devs"));
        assertThat(run(new PodExec(P), edit)).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("in namespace ml (create, get pods/exec; create, get pods/attach)"));
        assertThat(run(new EscalationVerbs(P), edit)).singleElement().satisfies(f -> {
            assertThat(f.ruleId()).isEqualTo("MOAT-RBC-006");
            assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(f.message()).contains("(impersonate serviceaccounts)");
        });
        String view = binding("RoleBinding", "ml", "devs", "ClusterRole", "view", group("ml-devs"));
        assertThat(run(new PodExec(P), view)).isEmpty();
        assertThat(run(new EscalationVerbs(P), view)).isEmpty();
    }

    @Test
    void bindOnOneNamedRoleIsStillEscalation() {
        String yaml = role("ClusterRole", null, "granter", "- apiGroups: [rbac.authorization.k8s.io]\n  resources: [clusterroles]\n"
                + "  resourceNames: [admin]\n  verbs: [bind]\n")
                + binding("ClusterRoleBinding", null, "granter", "ClusterRole", "granter", user("lead"));
        assertThat(run(new EscalationVerbs(P), yaml)).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("(bind clusterroles)"));
        String viaRoleBinding = yaml.replace("kind: ClusterRoleBinding\nmetadata:\n  name: granter\n",
                "kind: RoleBinding\nmetadata:\n  name: granter\n  namespace: ml\n");
        assertThat(run(new EscalationVerbs(P), viaRoleBinding)).as("clusterroles are cluster-scoped").isEmpty();
    }

    @Test
    void creatingPodsIsReportedOnlyWhereAiWorkloadsRun() {
        String creator = role("Role", "ml", "deployer", "- apiGroups: [apps]\n  resources: [deployments]\n  verbs: [create]\n")
                + binding("RoleBinding", "ml", "deployer", "Role", "deployer", user("carol"));
        assertThat(run(new AiWorkloadCreators(P), VLLM + creator)).singleElement().satisfies(f -> {
            assertThat(f.ruleId()).isEqualTo("MOAT-RBC-007");
            assertThat(f.message()).isEqualTo("User carol can create workloads in AI namespace ml (create deployments) through Role ml/deployer");
        });
        assertThat(run(new AiWorkloadCreators(P), creator)).isEmpty();
        assertThat(run(new AiWorkloadCreators(P), VLLM.replace("namespace: ml", "namespace: web") + creator)).isEmpty();
    }

    @Test
    void aiWorkloadOnTheDefaultServiceAccountIsHighWhenThatAccountHoldsRights() {
        assertThat(run(new DefaultServiceAccount(), VLLM)).singleElement().satisfies(f -> {
            assertThat(f.ruleId()).isEqualTo("MOAT-RBC-008");
            assertThat(f.severity()).isEqualTo(Severity.LOW);
            assertThat(f.object()).isEqualTo(new ObjectRef("Deployment", "ml", "vllm"));
            assertThat(at(f)).isEqualTo("10:7");
            assertThat(f.message()).isEqualTo("AI pod runs as service account ml/default with its token mounted");
        });
        String bound = VLLM + binding("RoleBinding", "ml", "tutorial", "ClusterRole", "view", sa("ml", "default"));
        assertThat(run(new DefaultServiceAccount(), bound)).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
            assertThat(f.evidence()).isEqualTo("serviceAccountName: default, bound by RoleBinding ml/tutorial -> ClusterRole view (built-in)");
        });
        assertThat(run(new DefaultServiceAccount(), VLLM.replace("      containers:", "      serviceAccountName: vllm\n      containers:")))
                .isEmpty();
        assertThat(run(new DefaultServiceAccount(), VLLM.replace("      containers:", "      automountServiceAccountToken: false\n      containers:")))
                .isEmpty();
        assertThat(run(new DefaultServiceAccount(), VLLM.replace("vllm/vllm-openai:v0.6.3", "nginx:1.27"))).as("not AI").isEmpty();
    }

    @Test
    void bindingsToEveryoneAreReportedExceptTheApiServersOwn() {
        String yaml = binding("ClusterRoleBinding", null, "open", "ClusterRole", "view", group("system:unauthenticated") + group("system:authenticated"))
                + binding("ClusterRoleBinding", null, "system:public-info-viewer", "ClusterRole", "system:public-info-viewer",
                group("system:unauthenticated"));
        assertThat(run(new EveryoneBinding(), yaml)).extracting(Finding::severity, f -> at(f), Finding::message)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(Severity.CRITICAL, "12:3",
                                "ClusterRoleBinding open grants ClusterRole view to Group system:unauthenticated in every namespace"),
                        org.assertj.core.groups.Tuple.tuple(Severity.HIGH, "15:3",
                                "ClusterRoleBinding open grants ClusterRole view to Group system:authenticated in every namespace"));
        assertThat(run(new ClusterAdminGrant(P), binding("ClusterRoleBinding", null, "x", "ClusterRole", "cluster-admin",
                group("system:authenticated")))).as("left to MOAT-RBC-009").isEmpty();
        assertThat(run(new EveryoneBinding(), binding("RoleBinding", "ml", "x", "ClusterRole", "view", group("ml-team")))).isEmpty();
    }

    @Test
    void nodesProxyIsReportedButNodesMetricsIsNot() {
        String proxy = role("ClusterRole", null, "scraper", "- apiGroups: [\"\"]\n  resources: [nodes/proxy]\n  verbs: [get]\n")
                + binding("ClusterRoleBinding", null, "scraper", "ClusterRole", "scraper", sa("monitoring", "prometheus"));
        assertThat(run(new NodeProxy(P), proxy)).singleElement().satisfies(f -> {
            assertThat(f.ruleId()).isEqualTo("MOAT-RBC-010");
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
            assertThat(at(f)).isEqualTo("21:3");
        });
        assertThat(run(new NodeProxy(P), proxy.replace("nodes/proxy", "nodes/metrics"))).isEmpty();
    }

    @Test
    void everyRuleIsRegisteredWithADistinctId() {
        assertThat(RbacRules.all()).extracting(r -> r.info().id()).doesNotHaveDuplicates().hasSize(10)
                .allMatch(id -> id.matches("MOAT-RBC-0\\d\\d"));
    }
}
