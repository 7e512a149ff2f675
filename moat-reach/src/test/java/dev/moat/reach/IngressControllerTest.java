package dev.moat.reach;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.yaml.YamlLimits;
import dev.moat.kube.Inventory;
import dev.moat.kube.ManifestParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Ingress and Route objects route to Services, and Services to the pods they select: the ingress
 * controller reaches those pods on the target ports, as far as both sides' policies allow it (its
 * pod sits in a namespace of its own, so only selectors matching every namespace admit it).
 */
class IngressControllerTest {

    /** Pod shop/web serves TCP 8080 (named http) and UDP 5353 (named mdns); Service web maps 80 to http. */
    private static final String SHOP = "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\n  labels: {app: web}\n"
            + "spec:\n  containers:\n  - name: c\n    image: img\n    ports:\n    - {name: http, containerPort: 8080}\n"
            + "    - {name: mdns, containerPort: 5353, protocol: UDP}\n"
            + "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: db\n  namespace: shop\n  labels: {app: db}\n"
            + "spec:\n  containers:\n  - {name: c, image: img}\n"
            + "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector: {app: web}\n  ports:\n"
            + "  - {name: http, port: 80, targetPort: http}\n  - {name: admin, port: 9000}\n  - {name: mdns, port: 5353, protocol: UDP, targetPort: mdns}\n"
            + "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: manual\n  namespace: shop\nspec:\n  ports:\n  - {port: 80}\n";

    private static String ingress(String backends) {
        return "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: front\n  namespace: shop\nspec:\n  rules:\n"
                + "  - http:\n      paths:\n" + backends;
    }

    private static String backend(String service, String port) {
        return "      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: " + service
                + "\n            port: {" + port + "}\n";
    }

    private static String route(String spec) {
        return "---\napiVersion: route.openshift.io/v1\nkind: Route\nmetadata:\n  name: front\n  namespace: shop\nspec:\n" + spec;
    }

    private static Reachability analyse(String objects) {
        var parsed = new ManifestParser(YamlLimits.DEFAULT, "default").parse("test.yaml", (SHOP + objects).getBytes(StandardCharsets.UTF_8));
        assertThat(parsed.errors()).isEmpty();
        Network network = Network.of(Inventory.of(parsed.objects()));
        assertThat(network.errors()).isEmpty();
        return new Reachability(network);
    }

    /** The ingress controller's connlist lines, each checked against the direct per-pair evaluation. */
    private static List<String> fromController(Reachability r) {
        List<Connection> lines = r.connections().stream().filter(c -> c.source() instanceof IngressController).toList();
        for (Connection c : lines) {
            assertThat(c.allowed()).isEqualTo(r.allowed(IngressController.INSTANCE, c.destination()));
        }
        return lines.stream().map(Connection::connlistLine).toList();
    }

    @Test
    void anIngressReachesTheServicePortsTargetPortOnTheSelectedPods() {
        assertThat(fromController(analyse(ingress(backend("web", "number: 80")))))
                .containsExactly("{ingress-controller} => shop/web[Pod] : TCP 8080");
        assertThat(fromController(analyse(ingress(backend("web", "name: admin")))))
                .as("a target port defaults to the port").containsExactly("{ingress-controller} => shop/web[Pod] : TCP 9000");
        assertThat(fromController(analyse(ingress(backend("web", "number: 8080")))))
                .as("an Ingress names a service port, not a target port").isEmpty();
    }

    @Test
    void onlyTcpPortsOfServicesWithSelectorsInTheSameNamespaceCount() {
        assertThat(fromController(analyse(ingress(backend("web", "name: mdns"))))).isEmpty();
        assertThat(fromController(analyse(ingress(backend("manual", "number: 80"))))).isEmpty();
        String elsewhere = "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: other\n  namespace: blog\nspec:\n"
                + "  defaultBackend:\n    service: {name: web, port: {number: 80}}\n";
        assertThat(fromController(analyse(elsewhere))).isEmpty();
    }

    @Test
    void aRouteTargetsByServicePortNameOrNumberOrEveryPort() {
        assertThat(fromController(analyse(route("  to: {kind: Service, name: web}\n  port: {targetPort: http}\n"))))
                .containsExactly("{ingress-controller} => shop/web[Pod] : TCP 8080");
        assertThat(fromController(analyse(route("  to: {kind: Service, name: web}\n  port: {targetPort: 9000}\n"))))
                .containsExactly("{ingress-controller} => shop/web[Pod] : TCP 9000");
        assertThat(fromController(analyse(route("  to: {kind: Service, name: web}\n"))))
                .containsExactly("{ingress-controller} => shop/web[Pod] : TCP 8080,9000");
    }

    @Test
    void policiesOfBothSidesStillApply() {
        String routeAll = route("  to: {kind: Service, name: web}\n");
        String anyNamespace = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: shop}\n"
                + "spec:\n  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector: {}\n    ports:\n    - port: 8080\n";
        assertThat(fromController(analyse(routeAll + anyNamespace))).containsExactly("{ingress-controller} => shop/web[Pod] : TCP 8080");
        String sameNamespace = anyNamespace.replace("namespaceSelector: {}", "podSelector: {}");
        assertThat(fromController(analyse(routeAll + sameNamespace))).isEmpty();
        String controllerEgressDenied = "---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\n"
                + "metadata: {name: lockdown}\nspec:\n  priority: 1\n  subject: {namespaces: {}}\n  egress:\n  - name: no-9000\n"
                + "    action: Deny\n    to:\n    - namespaces: {}\n    ports:\n    - portNumber: {port: 9000}\n";
        Reachability r = analyse(routeAll + controllerEgressDenied);
        assertThat(fromController(r)).containsExactly("{ingress-controller} => shop/web[Pod] : TCP 8080");
        Endpoint web = r.workloads().stream().filter(w -> w.matches("shop/web")).findFirst().orElseThrow();
        assertThat(r.explain(IngressController.INSTANCE, web).describe())
                .contains("{ingress-controller} => shop/web[Pod]: ALLOWED: TCP 8080")
                .contains("routed to TCP 8080,9000 of shop/web[Pod] by Route shop/front")
                .contains("AdminNetworkPolicy 'lockdown' denies TCP 9000 by egress rule 'no-9000'");
    }
}
