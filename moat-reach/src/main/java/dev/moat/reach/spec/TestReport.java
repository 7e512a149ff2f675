package dev.moat.reach.spec;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/** Renders test outcomes: text ending in the "N passed, N failed" line CI logs look for, or JUnit XML. */
public final class TestReport {

    private TestReport() {
    }

    public enum Format {
        TEXT, JUNIT;

        public static Format parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown format '" + name + "' (expected text or junit)");
            }
        }

        public void write(String specName, List<SpecRunner.Outcome> outcomes, Writer out) throws IOException {
            if (this == TEXT) {
                text(outcomes, out);
            } else {
                junit(specName, outcomes, out);
            }
        }
    }

    private static void text(List<SpecRunner.Outcome> outcomes, Writer out) throws IOException {
        int failed = 0;
        for (SpecRunner.Outcome o : outcomes) {
            failed += o.passed() ? 0 : 1;
            out.write((o.passed() ? "PASS  " : "FAIL  ") + o.assertion().name() + " (" + o.assertion().location() + ")\n");
            out.write("      " + o.detail() + "\n");
        }
        out.write((outcomes.size() - failed) + " passed, " + failed + " failed\n");
    }

    private static void junit(String specName, List<SpecRunner.Outcome> outcomes, Writer out) throws IOException {
        long failed = outcomes.stream().filter(o -> !o.passed()).count();
        try {
            XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeStartElement("testsuites");
            xml.writeStartElement("testsuite");
            xml.writeAttribute("name", "moat reach test " + specName);
            xml.writeAttribute("tests", String.valueOf(outcomes.size()));
            xml.writeAttribute("failures", String.valueOf(failed));
            xml.writeAttribute("errors", "0");
            xml.writeAttribute("skipped", "0");
            for (SpecRunner.Outcome o : outcomes) {
                xml.writeStartElement("testcase");
                xml.writeAttribute("classname", specName);
                xml.writeAttribute("name", o.assertion().name());
                if (o.passed()) {
                    xml.writeStartElement("system-out");
                    xml.writeCharacters(o.detail());
                    xml.writeEndElement();
                } else {
                    xml.writeStartElement("failure");
                    xml.writeAttribute("message", o.detail());
                    xml.writeAttribute("type", o.assertion().expectAllow() ? "expected-allow" : "expected-deny");
                    xml.writeCharacters(o.assertion().location() + ": " + o.detail());
                    xml.writeEndElement();
                }
                xml.writeEndElement();
            }
            xml.writeEndElement();
            xml.writeEndElement();
            xml.writeEndDocument();
            xml.flush();
            out.write('\n');
        } catch (XMLStreamException e) {
            throw new IOException(e);
        }
    }
}
