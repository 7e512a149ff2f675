package dev.moat.core.report;

import static dev.moat.core.report.SampleReports.render;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.Finding;
import dev.moat.core.ObjectRef;
import dev.moat.core.Report;
import dev.moat.core.Severity;
import dev.moat.core.SourceLocation;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

class JUnitWriterTest {

    @Test
    void totalsMatchTheTestCasesActuallyWritten() throws Exception {
        Element root = parse(SampleReports.full()).getDocumentElement();
        assertThat(root.getTagName()).isEqualTo("testsuites");
        assertCounts(root, 8, 3, 1, 2);
        for (Element suite : children(root, "testsuite")) {
            assertCounts(suite,
                    children(suite, "testcase").size(),
                    descendants(suite, "failure").size(),
                    descendants(suite, "error").size(),
                    descendants(suite, "skipped").size());
        }
    }

    @Test
    void writesOneSuitePerRuleAfterTheInputErrors() throws Exception {
        List<String> names = children(parse(SampleReports.full()).getDocumentElement(), "testsuite").stream()
                .map(s -> s.getAttribute("name"))
                .toList();
        assertThat(names).containsExactly("moat.inputs", "MOAT-K8S-001", "MOAT-AI-004", "MOAT-NET-002",
                "MOAT-K8S-010", "MOAT-K8S-099", "MOAT-RBAC-003");
    }

    @Test
    void failsFindingsAtOrAboveTheThresholdWithTheirDetails() throws Exception {
        Element failure = descendants(suite(parse(SampleReports.full()), "MOAT-AI-004"), "failure").get(0);
        assertThat(failure.getAttribute("type")).isEqualTo("MOAT-AI-004");
        assertThat(failure.getAttribute("message")).isEqualTo("Container 'server' has a model API key in env");
        assertThat(failure.getTextContent()).isEqualTo("""
                high MOAT-AI-004 at k8s\\prod\\api.yaml:30:9
                Container 'server' has a model API key in env
                evidence: %s
                remediation: Reference a Secret with valueFrom.secretKeyRef.""".formatted(SampleReports.SECRET_LIKE_EVIDENCE));
    }

    @Test
    void includesTheHelmTemplateInTheFailureBody() throws Exception {
        Element failure = descendants(suite(parse(SampleReports.full()), "MOAT-K8S-001"), "failure").get(0);
        assertThat(failure.getTextContent()).startsWith("critical MOAT-K8S-001 at rendered.yaml:12:7 (llm/templates/deployment.yaml)\n");
    }

    @Test
    void passesFindingsBelowTheThresholdKeepingThemAsOutput() throws Exception {
        Element testcase = children(suite(parse(SampleReports.full()), "MOAT-K8S-010"), "testcase").get(0);
        assertThat(descendants(testcase, "failure")).isEmpty();
        assertThat(descendants(testcase, "system-out").get(0).getTextContent())
                .startsWith("below the fail-on threshold (high)\nmedium MOAT-K8S-010 at k8s/prod/api.yaml:41:11\n");
    }

    @Test
    void skipsSuppressedFindingsGivingTheReason() throws Exception {
        Element skipped = descendants(suite(parse(SampleReports.full()), "MOAT-RBAC-003"), "skipped").get(0);
        assertThat(skipped.getAttribute("message")).isEqualTo("config exemption: reviewed in SEC-42");
    }

    @Test
    void reportsUnreadableInputsAsErrors() throws Exception {
        Element testcase = children(suite(parse(SampleReports.full()), JUnitWriter.INPUTS_SUITE), "testcase").get(0);
        assertThat(testcase.getAttribute("name")).isEqualTo("k8s/broken.yaml:4:3");
        Element error = descendants(testcase, "error").get(0);
        assertThat(error.getAttribute("message")).isEqualTo("could not parse YAML: mapping values are not allowed here");
    }

    @Test
    void showsThatARuleWithoutFindingsRan() throws Exception {
        List<Element> cases = children(suite(parse(SampleReports.full()), "MOAT-K8S-099"), "testcase");
        assertThat(cases).singleElement().satisfies(c -> {
            assertThat(c.getAttribute("name")).isEqualTo("no findings");
            assertThat(c.getChildNodes().getLength()).isZero();
        });
    }

    @Test
    void escapesMarkupInAttributesAndText() throws Exception {
        String xml = render(ReportFormat.JUNIT, SampleReports.full());
        assertThat(xml).contains("message=\"Ingress &lt;api&gt; exposes /admin &amp; &quot;debug&quot; endpoints without auth\"");
        Element failure = descendants(suite(parse(SampleReports.full()), "MOAT-NET-002"), "failure").get(0);
        assertThat(failure.getAttribute("message")).isEqualTo("Ingress <api> exposes /admin & \"debug\" endpoints without auth");
        assertThat(failure.getTextContent()).contains(SampleReports.TRICKY_MESSAGE);
    }

    /** A control character from a manifest must not make the whole file unparseable. */
    @Test
    void replacesCharactersXmlCannotCarry() throws Exception {
        Finding f = new Finding("MOAT-K8S-001", Severity.CRITICAL, "pod-security", new ObjectRef("Pod", "ns", "p"),
                new SourceLocation("pod.yaml", 3, 1), "bell\u0007 and escape\u001B[31m", "nul\u0000", "", null);
        Document doc = parse(SampleReports.with(List.of(f)));
        Element failure = descendants(suite(doc, "MOAT-K8S-001"), "failure").get(0);
        assertThat(failure.getAttribute("message")).isEqualTo("bell\uFFFD and escape\uFFFD[31m");
        assertThat(failure.getTextContent()).contains("evidence: nul\uFFFD");
        assertThat(JUnitWriter.xmlSafe("tab\tline\nemoji \uD83D\uDE80")).isEqualTo("tab\tline\nemoji \uD83D\uDE80");
    }

    @Test
    void failsNothingWhenThereIsNothingToFail() throws Exception {
        Element root = parse(SampleReports.clean()).getDocumentElement();
        assertCounts(root, 1, 0, 0, 0);
    }

    private static void assertCounts(Element element, int tests, int failures, int errors, int skipped) {
        assertThat(element.getAttribute("tests")).as("tests").isEqualTo(String.valueOf(tests));
        assertThat(element.getAttribute("failures")).as("failures").isEqualTo(String.valueOf(failures));
        assertThat(element.getAttribute("errors")).as("errors").isEqualTo(String.valueOf(errors));
        assertThat(element.getAttribute("skipped")).as("skipped").isEqualTo(String.valueOf(skipped));
    }

    private static Element suite(Document doc, String name) {
        return children(doc.getDocumentElement(), "testsuite").stream()
                .filter(s -> s.getAttribute("name").equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && e.getTagName().equals(tag)) {
                found.add(e);
            }
        }
        return found;
    }

    private static List<Element> descendants(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        List<Element> found = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            found.add((Element) nodes.item(i));
        }
        return found;
    }

    /** Parsing is the well-formedness check: a malformed document throws here. */
    private static Document parse(Report report) throws ParserConfigurationException, SAXException, IOException {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new InputSource(new StringReader(render(ReportFormat.JUNIT, report))));
    }
}
