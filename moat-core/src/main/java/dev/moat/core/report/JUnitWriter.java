package dev.moat.core.report;

import dev.moat.core.Diagnostic;
import dev.moat.core.Finding;
import dev.moat.core.Report;
import dev.moat.core.RuleInfo;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * JUnit XML for CI test views: one suite per rule, one test case per finding. Findings at or above the
 * fail-on threshold fail, lower ones pass (with their details as output), suppressed ones are skipped,
 * and inputs that could not be analysed are errors in a suite of their own.
 */
final class JUnitWriter implements ReportWriter {

    static final String INPUTS_SUITE = "moat.inputs";

    enum Outcome { PASSED, FAILED, ERROR, SKIPPED }

    /** One test case; {@code message} is the one-line attribute and {@code body} the element's text. */
    record Case(String classname, String name, Outcome outcome, String type, String message, String body) {
    }

    record Suite(String name, List<Case> cases) {
        long count(Outcome outcome) {
            return cases.stream().filter(c -> c.outcome() == outcome).count();
        }
    }

    @Override
    public void write(Report report, ReportOptions options, Writer out) throws IOException {
        try {
            writeXml(suites(report), out);
        } catch (XMLStreamException e) {
            throw new IOException("could not write JUnit XML", e);
        }
        out.flush();
    }

    static List<Suite> suites(Report report) {
        List<Suite> suites = new ArrayList<>();
        if (!report.diagnostics().isEmpty()) {
            suites.add(new Suite(INPUTS_SUITE, report.diagnostics().stream().map(JUnitWriter::errorCase).toList()));
        }
        for (RuleInfo rule : RuleCatalog.of(report)) {
            List<Case> cases = report.findings().stream()
                    .filter(f -> f.ruleId().equals(rule.id()))
                    .map(f -> findingCase(f, report))
                    .toList();
            // A rule that found nothing still ran: a passing case makes that visible in CI.
            suites.add(new Suite(rule.id(), cases.isEmpty()
                    ? List.of(new Case(rule.id(), "no findings", Outcome.PASSED, null, null, null))
                    : cases));
        }
        return suites;
    }

    private static Case errorCase(Diagnostic d) {
        return new Case(INPUTS_SUITE, d.location().toString(), Outcome.ERROR, "input-error",
                FindingText.oneLine(d.message()), d.toString());
    }

    private static Case findingCase(Finding f, Report report) {
        String name = f.object() + " at " + f.location();
        if (f.suppressed()) {
            return new Case(f.ruleId(), name, Outcome.SKIPPED, null, FindingText.oneLine(f.suppression().describe()), null);
        }
        String body = String.join("\n", Stream.concat(
                Stream.of(f.severity().label() + " " + f.ruleId() + " at " + f.location().describe(), f.message()),
                FindingText.details(f).stream()).toList());
        if (f.severity().atLeast(report.failOn())) {
            return new Case(f.ruleId(), name, Outcome.FAILED, f.ruleId(), FindingText.oneLine(f.message()), body);
        }
        return new Case(f.ruleId(), name, Outcome.PASSED, null, null,
                "below the fail-on threshold (" + report.failOn().label() + ")\n" + body);
    }

    private static void writeXml(List<Suite> suites, Writer out) throws XMLStreamException {
        Xml xml = Xml.start(out);
        xml.open("testsuites", "name", "moat",
                "tests", total(suites, null), "failures", total(suites, Outcome.FAILED),
                "errors", total(suites, Outcome.ERROR), "skipped", total(suites, Outcome.SKIPPED));
        for (Suite suite : suites) {
            xml.open("testsuite", "name", suite.name(), "tests", String.valueOf(suite.cases().size()),
                    "failures", String.valueOf(suite.count(Outcome.FAILED)),
                    "errors", String.valueOf(suite.count(Outcome.ERROR)),
                    "skipped", String.valueOf(suite.count(Outcome.SKIPPED)));
            for (Case c : suite.cases()) {
                writeCase(xml, c);
            }
            xml.close();
        }
        xml.close();
        xml.finish();
    }

    private static void writeCase(Xml xml, Case c) throws XMLStreamException {
        String[] attributes = {"classname", c.classname(), "name", c.name()};
        switch (c.outcome()) {
            case PASSED -> {
                if (c.body() == null) {
                    xml.leaf("testcase", null, attributes);
                } else {
                    xml.open("testcase", attributes);
                    xml.leaf("system-out", c.body());
                    xml.close();
                }
            }
            case FAILED, ERROR -> {
                xml.open("testcase", attributes);
                xml.leaf(c.outcome() == Outcome.FAILED ? "failure" : "error", c.body(),
                        "type", c.type(), "message", c.message());
                xml.close();
            }
            case SKIPPED -> {
                xml.open("testcase", attributes);
                xml.leaf("skipped", null, "message", c.message());
                xml.close();
            }
        }
    }

    private static String total(List<Suite> suites, Outcome outcome) {
        long n = suites.stream()
                .mapToLong(s -> outcome == null ? s.cases().size() : s.count(outcome))
                .sum();
        return String.valueOf(n);
    }

    /**
     * XML 1.0 cannot carry most control characters even escaped, and manifests can contain them (an
     * ANSI escape in a value, say); replace them so one odd input cannot make the whole file unreadable.
     */
    static String xmlSafe(String text) {
        StringBuilder safe = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> safe.appendCodePoint(allowedInXml(cp) ? cp : 0xFFFD));
        return safe.toString();
    }

    private static boolean allowedInXml(int cp) {
        return cp == 0x9 || cp == 0xA || cp == 0xD
                || (cp >= 0x20 && cp <= 0xD7FF)
                || (cp >= 0xE000 && cp <= 0xFFFD)
                || (cp >= 0x10000 && cp <= 0x10FFFF);
    }

    /** Indents as it goes, since XMLStreamWriter writes everything on one line. */
    private static final class Xml {
        private final XMLStreamWriter writer;
        private int depth;

        private Xml(XMLStreamWriter writer) {
            this.writer = writer;
        }

        static Xml start(Writer out) throws XMLStreamException {
            Xml xml = new Xml(XMLOutputFactory.newFactory().createXMLStreamWriter(out));
            xml.writer.writeStartDocument("UTF-8", "1.0");
            return xml;
        }

        /** Ends the document; XMLStreamWriter.close() leaves the underlying writer open, as it must. */
        void finish() throws XMLStreamException {
            writer.writeCharacters("\n");
            writer.writeEndDocument();
            writer.flush();
            writer.close();
        }

        void open(String name, String... attributes) throws XMLStreamException {
            newline();
            writer.writeStartElement(name);
            attributes(attributes);
            depth++;
        }

        void close() throws XMLStreamException {
            depth--;
            newline();
            writer.writeEndElement();
        }

        /** An element with no children: empty, or holding only {@code text}. */
        void leaf(String name, String text, String... attributes) throws XMLStreamException {
            newline();
            if (text == null) {
                writer.writeEmptyElement(name);
                attributes(attributes);
            } else {
                writer.writeStartElement(name);
                attributes(attributes);
                writer.writeCharacters(xmlSafe(text));
                writer.writeEndElement();
            }
        }

        private void attributes(String... nameValuePairs) throws XMLStreamException {
            for (int i = 0; i < nameValuePairs.length; i += 2) {
                if (nameValuePairs[i + 1] != null) {
                    writer.writeAttribute(nameValuePairs[i], xmlSafe(nameValuePairs[i + 1]));
                }
            }
        }

        private void newline() throws XMLStreamException {
            writer.writeCharacters("\n" + "  ".repeat(depth));
        }
    }
}
