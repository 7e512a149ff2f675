package dev.moat.audit;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Published credential formats (from gitleaks, trufflehog, trivy and secretlint), for recognising a
 * literal key wherever a manifest holds text. Patterns are anchored on the vendors' fixed prefixes so
 * ordinary configuration values do not match.
 */
public final class SecretPatterns {

    /** A recognised credential: what kind, and the matched text (never to be printed unredacted). */
    public record Match(String kind, String secret) {
    }

    private record Kind(String name, Pattern pattern) {
    }

    private static final List<Kind> KINDS = List.of(
            new Kind("Anthropic API key", Pattern.compile("\\bsk-ant-(?:api0\\d|admin01)-[A-Za-z0-9_-]{80,128}")),
            new Kind("OpenAI API key", Pattern.compile(
                    "\\bsk-(?:(?:proj|svcacct|service|admin|None)-)?[A-Za-z0-9_-]{16,100}T3BlbkFJ[A-Za-z0-9_-]{16,100}")),
            new Kind("OpenAI project key", Pattern.compile("\\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,200}")),
            new Kind("OpenRouter API key", Pattern.compile("\\bsk-or-v1-[0-9a-f]{64}\\b")),
            new Kind("Hugging Face token", Pattern.compile("\\b(?:hf_|api_org_)[A-Za-z0-9]{34,40}\\b")),
            new Kind("AWS access key ID", Pattern.compile("\\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\\b")),
            new Kind("Google API key", Pattern.compile("\\bAIza[0-9A-Za-z_-]{35}")),
            new Kind("GitHub token", Pattern.compile("\\bgh[pousr]_[A-Za-z0-9]{36,255}\\b")),
            new Kind("Pinecone API key", Pattern.compile("\\bpcsk_[A-Za-z0-9]{5,6}_[A-Za-z0-9]{63}\\b")),
            new Kind("LangSmith API key", Pattern.compile("\\blsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}\\b")),
            new Kind("Groq API key", Pattern.compile("\\bgsk_[a-zA-Z0-9]{52}\\b")),
            new Kind("Slack token", Pattern.compile("\\bxox[baprs]-[0-9A-Za-z-]{10,72}")),
            new Kind("private key", Pattern.compile("-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----")));

    private SecretPatterns() {
    }

    public static Optional<Match> find(String text) {
        if (text == null || text.length() < 16) {
            return Optional.empty();
        }
        for (Kind k : KINDS) {
            Matcher m = k.pattern().matcher(text);
            if (m.find()) {
                return Optional.of(new Match(k.name(), m.group()));
            }
        }
        return Optional.empty();
    }
}
