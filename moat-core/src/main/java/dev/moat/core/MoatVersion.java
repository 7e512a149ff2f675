package dev.moat.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Moat's version, stamped into the build by Maven resource filtering. */
public final class MoatVersion {

    public static final String VERSION = load();

    private MoatVersion() {
    }

    private static String load() {
        try (InputStream in = MoatVersion.class.getResourceAsStream("/dev/moat/core/version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}
