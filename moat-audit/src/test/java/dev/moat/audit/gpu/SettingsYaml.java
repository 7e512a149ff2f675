package dev.moat.audit.gpu;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.moat.core.config.ConfigException;
import dev.moat.core.config.MoatConfig;
import dev.moat.core.config.RuleSettings;
import java.util.Set;

/** Rule settings as a user writes them in {@code .moat.yaml}. */
public final class SettingsYaml {

    private SettingsYaml() {
    }

    /** The {@code settings:} of a {@code .moat.yaml} holding {@code yaml}. */
    public static RuleSettings settings(String yaml) {
        try {
            return new RuleSettings(MoatConfig.parse(".moat.yaml", yaml.getBytes(UTF_8), Set.of()).settings());
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
