package dev.moat.reach;

import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.KubeObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows Kubernetes Ingress (networking.k8s.io/v1) and OpenShift Route objects to the Services of
 * their namespace and on to the workloads those select. Only a Service's TCP ports count (ingress
 * controllers proxy HTTP and TLS); a Service without a selector has no workloads to find.
 */
final class IngressRoutes {

    /** A Service as routing sees it: selector and ports. */
    private record Service(Map<String, String> selector, List<ServicePort> ports) {
    }

    /**
     * {@code targetPort} is a number, a container port name, or null for the service port itself. A
     * number is reached whether or not a container declares it (declaring is informational, unlike
     * in netpol-analyzer, which requires it); a name must be a TCP container port of the pod.
     */
    private record ServicePort(String name, int port, String targetPort) {

        ConnectionSet on(WorkloadPeer w) {
            if (targetPort == null) {
                return ConnectionSet.port(Protocol.TCP, port);
            }
            if (targetPort.matches("\\d{1,5}")) {
                return ConnectionSet.port(Protocol.TCP, Integer.parseInt(targetPort));
            }
            return w.namedPorts().lookup(targetPort, Protocol.TCP);
        }
    }

    /** A backend: a Service name and the service port asked for, by name or number, or null for all of them. */
    private record Backend(String service, String port) {
    }

    private final Map<String, Service> services = new HashMap<>();
    private final Map<String, List<WorkloadPeer>> workloadsByNamespace = new HashMap<>();
    private final Map<WorkloadPeer, ConnectionSet> ports = new LinkedHashMap<>();
    private final Map<WorkloadPeer, List<String>> via = new HashMap<>();

    private IngressRoutes(List<WorkloadPeer> workloads) {
        for (WorkloadPeer w : workloads) {
            workloadsByNamespace.computeIfAbsent(w.namespace(), k -> new ArrayList<>()).add(w);
        }
    }

    static List<IngressExposure> exposures(List<KubeObject> objects, List<WorkloadPeer> workloads) {
        IngressRoutes routes = new IngressRoutes(workloads);
        for (KubeObject o : objects) {
            if (o.kind().equals("Service") && o.group().isEmpty()) {
                routes.services.put(o.namespace() + "/" + o.name(), service(o));
            }
        }
        for (KubeObject o : objects) {
            if (o.kind().equals("Ingress") && o.group().equals("networking.k8s.io")) {
                routes.route(o, ingressBackends(o.spec()), false);
            } else if (o.kind().equals("Route") && o.group().equals("route.openshift.io")) {
                routes.route(o, routeBackends(o.spec()), true);
            }
        }
        List<IngressExposure> out = new ArrayList<>();
        routes.ports.forEach((w, p) -> out.add(new IngressExposure(w, p, routes.via.get(w))));
        return out;
    }

    private static Service service(KubeObject o) {
        YamlMap selector = o.spec().map("selector");
        List<ServicePort> ports = new ArrayList<>();
        for (YamlMap p : o.spec().maps("ports")) {
            String number = p.text("port");
            String protocol = p.text("protocol");
            if (number != null && number.matches("\\d{1,5}") && (protocol == null || protocol.equals("TCP"))) {
                ports.add(new ServicePort(p.text("name"), Integer.parseInt(number), p.text("targetPort")));
            }
        }
        return new Service(selector == null ? Map.of() : selector.stringMap(), ports);
    }

    private static List<Backend> ingressBackends(YamlMap spec) {
        List<Backend> out = new ArrayList<>();
        addIngressBackend(spec.path("defaultBackend", "service"), out);
        for (YamlMap rule : spec.maps("rules")) {
            YamlMap http = rule.map("http");
            for (YamlMap path : http == null ? List.<YamlMap>of() : http.maps("paths")) {
                addIngressBackend(path.path("backend", "service"), out);
            }
        }
        return out;
    }

    private static void addIngressBackend(YamlMap service, List<Backend> out) {
        if (service != null && service.text("name") != null) {
            YamlMap port = service.map("port");
            String ref = port == null ? null : port.text("number") != null ? port.text("number") : port.text("name");
            out.add(new Backend(service.text("name"), ref));
        }
    }

    /** The {@code to} target and the alternate backends, all with the route's one target port; other kinds are skipped. */
    private static List<Backend> routeBackends(YamlMap spec) {
        YamlMap port = spec.map("port");
        String ref = port == null ? null : port.text("targetPort");
        List<Backend> out = new ArrayList<>();
        List<YamlMap> targets = new ArrayList<>();
        if (spec.map("to") != null) {
            targets.add(spec.map("to"));
        }
        targets.addAll(spec.maps("alternateBackends"));
        for (YamlMap target : targets) {
            String kind = target.text("kind");
            if ((kind == null || kind.equals("Service")) && target.text("name") != null) {
                out.add(new Backend(target.text("name"), ref));
            }
        }
        return out;
    }

    private void route(KubeObject router, List<Backend> backends, boolean route) {
        for (Backend b : backends) {
            Service service = services.get(router.namespace() + "/" + b.service());
            if (service == null || service.selector().isEmpty()) {
                continue;
            }
            List<ServicePort> targeted = targeted(service, b.port(), route);
            for (WorkloadPeer w : workloadsByNamespace.getOrDefault(router.namespace(), List.of())) {
                if (!w.labels().entrySet().containsAll(service.selector().entrySet())) {
                    continue;
                }
                ConnectionSet reached = ConnectionSet.NONE;
                for (ServicePort p : targeted) {
                    reached = reached.union(p.on(w));
                }
                if (!reached.isEmpty()) {
                    ports.merge(w, reached, ConnectionSet::union);
                    List<String> names = via.computeIfAbsent(w, k -> new ArrayList<>());
                    String name = router.kind() + " " + router.namespace() + "/" + router.name();
                    if (!names.contains(name)) {
                        names.add(name);
                    }
                }
            }
        }
    }

    /**
     * The service ports a backend reaches: every one when it names none. An Ingress names a service
     * port by number or name. A Route's {@code targetPort} is looked up as OpenShift's router and
     * netpol-analyzer do: the first service port whose name, port or target port it equals.
     */
    private static List<ServicePort> targeted(Service service, String ref, boolean route) {
        if (ref == null) {
            return service.ports();
        }
        for (ServicePort p : service.ports()) {
            boolean byName = ref.equals(p.name());
            boolean byPort = ref.equals(String.valueOf(p.port()));
            if (byName || byPort || route && ref.equals(p.targetPort())) {
                return List.of(p);
            }
        }
        return List.of();
    }
}
