package dev.moat.audit.secrets;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Synthetic credentials in every published format {@code SecretPatterns} knows, and values that look
 * close to one but are not credentials. Generated from a seeded {@link Random} so the sources hold no
 * key-shaped literal; the vendor prefixes are split for the same reason. None is a real key.
 */
final class SecretCorpus {

    /**
     * A value stored under {@code key} (a data key, annotation or env name, which is the keyword some
     * formats need); {@code secret} is the credential inside it and {@code kind} its format, both null
     * for a near miss.
     */
    record Sample(String kind, String key, String value, String secret) {

        boolean isKey() {
            return kind != null;
        }
    }

    private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String LOWER = UPPER.toLowerCase(Locale.ROOT);
    private static final String DIGITS = "0123456789";
    private static final String LETTERS = UPPER + LOWER;
    private static final String ALNUM = LETTERS + DIGITS;
    private static final String URL_SAFE = ALNUM + "_-";
    private static final String BASE64 = ALNUM + "+/";
    private static final String BASE32 = UPPER + "234567";
    private static final String HEX = DIGITS + "abcdef";
    private static final String ENTRA = ALNUM + "_~.";

    private final Random random;

    SecretCorpus(long seed) {
        this.random = new Random(seed);
    }

    List<Sample> trueKeys() {
        List<Sample> out = new ArrayList<>();
        String openAiAnchor = "T3Blbk" + "FJ";
        for (String kind : List.of("api03", "admin01")) {
            String k = "sk-" + "ant-" + kind + "-" + chars(URL_SAFE, 93) + "AA";
            out.add(key("Anthropic API key", "ANTHROPIC_API_KEY", k));
        }
        String legacy = "sk-" + chars(ALNUM, 20) + openAiAnchor + chars(ALNUM, 20);
        out.add(key("OpenAI API key", "OPENAI_API_KEY", legacy));
        for (String type : List.of("proj", "svcacct", "admin")) {
            String k = "sk-" + type + "-" + chars(ALNUM, 58) + openAiAnchor + chars(ALNUM, 58);
            out.add(key("OpenAI API key", "openai-key", k));
        }
        String project = "sk-" + "proj-" + chars(ALNUM, 48);
        out.add(key("OpenAI project key", "OPENAI_API_KEY", project));
        String inJson = "sk-" + "proj-" + chars(ALNUM, 64);
        out.add(new Sample("OpenAI project key", "config.json", "{\"openai_api_key\": \"" + inJson + "\"}", inJson));
        out.add(key("OpenRouter API key", "OPENROUTER_API_KEY", "sk-" + "or-v1-" + chars(HEX, 64)));
        out.add(key("Hugging Face token", "HF_TOKEN", "hf" + "_" + chars(LETTERS, 34)));
        out.add(key("Hugging Face token", "token", "hf" + "_" + chars(ALNUM, 34)));
        out.add(key("Hugging Face token", "HUGGING_FACE_HUB_TOKEN", "api" + "_org_" + chars(LETTERS, 34)));
        String inUrl = "hf" + "_" + chars(LETTERS, 37);
        out.add(new Sample("Hugging Face token", "MODEL_REPO", "https://user:" + inUrl + "@huggingface.co/org/model", inUrl));
        for (String prefix : List.of("AK" + "IA", "AS" + "IA")) {
            out.add(key("AWS access key ID", "AWS_ACCESS_KEY_ID", prefix + chars(BASE32, 16)));
        }
        out.add(key("AWS secret access key", "AWS_SECRET_ACCESS_KEY", chars(BASE64, 40)));
        String fileSecret = chars(BASE64, 40);
        out.add(new Sample("AWS secret access key", "credentials",
                "[default]\nregion = us-east-1\naws_secret_access_key = " + fileSecret + "\n", fileSecret));
        String jsonSecret = chars(BASE64, 40);
        out.add(new Sample("AWS secret access key", "s3.json", "{\"aws_secret_access_key\": \"" + jsonSecret + "\"}", jsonSecret));
        String pkcs8 = pem("PRIVATE KEY", "\\n", 12);
        out.add(new Sample("GCP service-account key", "key.json", "{\"type\": \"service_account\", \"project_id\": \"ml\", "
                + "\"private_key_id\": \"" + chars(HEX, 40) + "\", \"private_key\": \"" + pkcs8 + "\\n\", "
                + "\"client_email\": \"trainer@ml.iam.gserviceaccount.com\"}", pkcs8 + "\\n"));
        out.add(key("Google API key", "GOOGLE_API_KEY", "AI" + "za" + chars(URL_SAFE, 35)));
        out.add(key("Google API key", "GEMINI_API_KEY", "AI" + "za" + chars(ALNUM, 35)));
        String account = chars(BASE64, 86) + "==";
        out.add(new Sample("Azure storage account key", "AZURE_STORAGE_CONNECTION_STRING", "DefaultEndpointsProtocol=https;"
                + "AccountName=models;AccountKey=" + account + ";EndpointSuffix=core.windows.net", account));
        String shared = chars(BASE64, 43) + "=";
        out.add(new Sample("Azure shared access key", "EVENTHUB_CONNECTION", "Endpoint=sb://ml.servicebus.windows.net/;"
                + "SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=" + shared, shared));
        String sig = chars(ALNUM, 43) + "%3D";
        out.add(new Sample("Azure SAS token", "MODEL_URL", "https://models.blob.core.windows.net/llm?sv=2022-11-02&ss=b"
                + "&srt=co&sp=rl&se=2026-01-01T00:00:00Z&spr=https&sig=" + sig, sig));
        out.add(key("Azure Entra client secret", "AZURE_CLIENT_SECRET",
                chars(ENTRA, 3) + chars(DIGITS, 1) + "Q~" + chars(ENTRA + "-", 34)));
        out.add(key("Azure API key", "AZURE_OPENAI_API_KEY", chars(HEX, 32)));
        out.add(key("GitHub token", "GITHUB_TOKEN", "gh" + "p_" + chars(ALNUM, 36)));
        out.add(key("Pinecone API key", "PINECONE_API_KEY", "pc" + "sk_" + chars(ALNUM, 5) + "_" + chars(ALNUM, 63)));
        for (String type : List.of("pt", "sk")) {
            out.add(key("LangSmith API key", "LANGSMITH_API_KEY", "lsv2" + "_" + type + "_" + chars(HEX, 32) + "_" + chars(HEX, 10)));
        }
        out.add(key("Weights & Biases API key", "WANDB_API_KEY", chars(HEX, 40)));
        String netrc = chars(HEX, 40);
        out.add(new Sample("Weights & Biases API key", "netrc", "machine api.wandb.ai\n  login user\n  password " + netrc + "\n", netrc));
        String login = chars(HEX, 40);
        out.add(new Sample("Weights & Biases API key", "setup.sh", "pip install wandb\nwandb login --relogin " + login + "\n", login));
        out.add(key("Groq API key", "GROQ_API_KEY", "gs" + "k_" + chars(ALNUM, 52)));
        out.add(key("Slack token", "SLACK_BOT_TOKEN", "xo" + "xb-" + chars(DIGITS, 12) + "-" + chars(DIGITS, 13) + "-" + chars(ALNUM, 24)));
        out.add(key("JSON Web Token", "RAY_AUTH_TOKEN", jwt("{\"alg\":\"HS256\",\"typ\":\"JWT\"}")));
        out.add(key("JSON Web Token", "kubeconfig-token", jwt("{\"alg\":\"RS256\",\"kid\":\"" + chars(URL_SAFE, 43) + "\"}")));
        String bearer = chars(ALNUM, 24) + chars(DIGITS, 2) + chars(ALNUM, 14);
        out.add(new Sample("bearer token", "curl-args", "-H \"Authorization: Bearer " + bearer + "\"", bearer));
        for (String type : List.of("RSA PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY", "PRIVATE KEY",
                "ENCRYPTED PRIVATE KEY")) {
            out.add(key("private key", "tls.key", pem(type, "\n", 12)));
        }
        return out;
    }

    List<Sample> nearMisses() {
        List<Sample> out = new ArrayList<>();
        String uuid = java.util.UUID.nameUUIDFromBytes(chars(ALNUM, 16).getBytes(UTF_8)).toString();
        out.add(miss("RUN_ID", uuid));
        out.add(miss("AZURE_CLIENT_ID", uuid.toUpperCase(Locale.ROOT)));
        out.add(miss("AZURE_OPENAI_API_KEY", uuid));
        out.add(miss("MODEL_SHA256", chars(HEX, 64)));
        out.add(miss("image", "vllm/vllm-openai@sha256:" + chars(HEX, 64)));
        out.add(miss("GIT_COMMIT", chars(HEX, 40)));
        out.add(miss("WANDB_RUN_COMMIT", chars(HEX, 40)));
        out.add(miss("checkpoint", "wandb-artifact://entity/project/model:" + chars(HEX, 40)));
        out.add(miss("AWS_SECRET_ACCESS_KEY", chars(HEX, 40)));
        out.add(miss("checksum", chars(BASE64, 40)));
        out.add(miss("OPENAI_API_KEY", "<your-key>"));
        out.add(miss("HF_TOKEN", "<your-hf-access-token-value>"));
        out.add(miss("password", "changeme"));
        out.add(miss("HF_TOKEN", "${TOKEN}"));
        out.add(miss("OPENAI_API_KEY", "$(OPENAI_API_KEY)"));
        out.add(miss("hfToken", "$HF_TOKEN_FROM_VAULT"));
        out.add(miss("greeting", b64("hello world, this is not a secret")));
        out.add(miss("sentence", b64("the quick brown fox jumps over the lazy dog")));
        out.add(miss("RAY_ENABLE_K8S_TOKEN_AUTH", "true"));
        out.add(miss("OPENAI_API_KEY", "sk-" + "proj-short"));
        out.add(miss("OPENAI_API_KEY", "sk-" + chars(ALNUM, 20)));
        out.add(miss("HF_TOKEN", "hf" + "_" + "x".repeat(34)));
        out.add(miss("HF_HUB_ENABLE_HF_TRANSFER", "1"));
        out.add(miss("HF_TOKEN", "hf" + "_" + chars(LETTERS, 20)));
        out.add(miss("AWS_ACCESS_KEY_ID", "AK" + "IA" + "IOSFODNN7" + "EXAMPLE"));
        out.add(miss("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCY" + "EXAMPLE" + "KEY"));
        out.add(miss("AWS_ACCESS_KEY_ID", "AK" + "IA" + chars(LOWER, 16)));
        out.add(miss("AWS_SECRET_ACCESS_KEY", "minio123"));
        out.add(miss("GOOGLE_API_KEY", "AI" + "za" + chars(ALNUM, 20)));
        out.add(miss("auth", "Authorization: Bearer ${HF_TOKEN}"));
        out.add(miss("auth", "Authorization: Bearer <token>"));
        out.add(miss("auth", "Authorization: Bearer YOUR_API_KEY_HERE_12345678"));
        out.add(miss("auth", "Authorization: Bearer $(cat /var/run/secrets/kubernetes.io/serviceaccount/token)"));
        out.add(miss("prometheus.yml", "bearer_token_file: /var/run/secrets/kubernetes.io/serviceaccount/token"));
        out.add(miss("tls.key", "-----BEGIN PRIVATE KEY-----\n<paste your key here>\n-----END PRIVATE KEY-----"));
        out.add(miss("ca.crt", pem("CERTIFICATE", "\n", 12)));
        out.add(miss("key.pub", pem("PUBLIC KEY", "\n", 12)));
        out.add(miss("session", "ey" + chars(ALNUM, 20) + ".ey" + chars(ALNUM, 20) + "." + chars(ALNUM, 20)));
        out.add(miss("PINECONE_API_KEY", "pc" + "sk_" + chars(ALNUM, 5) + "_" + chars(ALNUM, 10)));
        out.add(miss("LANGSMITH_API_KEY", "lsv2" + "_pt_" + chars(HEX, 12)));
        out.add(miss("WANDB_PROJECT", "llama-finetune"));
        out.add(miss("AZURE_STORAGE_CONNECTION_STRING", "DefaultEndpointsProtocol=https;AccountName=models;AccountKey=<key>"));
        out.add(miss("AZURE_STORAGE_CONNECTION_STRING", "UseDevelopmentStorage=true"));
        out.add(miss("SLACK_BOT_TOKEN", "xo" + "xb-your-token-goes-here"));
        out.add(miss("GITHUB_TOKEN", "gh" + "p_" + chars(ALNUM, 10)));
        out.add(miss("MODEL_ID", "meta-llama/Llama-3.1-8B-Instruct"));
        out.add(miss("ANTHROPIC_API_KEY", "sk-" + "ant-" + "api03-" + "x".repeat(93) + "AA"));
        out.add(miss("HF_TOKEN_PATH", "/var/run/secrets/hf/token"));
        out.add(miss("STORAGE_URI", "s3://models/llama-3/" + chars(HEX, 40)));
        return out;
    }

    private static Sample key(String kind, String key, String secret) {
        return new Sample(kind, key, secret, secret);
    }

    private static Sample miss(String key, String value) {
        return new Sample(null, key, value, null);
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(UTF_8));
    }

    /** A PEM block of random base64 in 64-character lines joined by {@code newline} (a JSON-escaped one in key files). */
    /** A PKCS#1 block far longer than a 4096-bit key, to exercise the matcher's stack use. */
    String largePrivateKey() {
        return pem("RSA PRIVATE KEY", "\n", 400);
    }

    private String pem(String type, String newline, int lines) {
        StringBuilder sb = new StringBuilder("-----BEGIN " + type + "-----");
        for (int i = 0; i < lines; i++) {
            sb.append(newline).append(chars(BASE64, 64));
        }
        return sb.append(newline).append("-----END ").append(type).append("-----").toString();
    }

    private String jwt(String header) {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String payload = "{\"sub\":\"system:serviceaccount:ml:" + chars(LOWER, 8) + "\",\"iat\":" + chars(DIGITS, 10) + "}";
        return url.encodeToString(header.getBytes(UTF_8)) + "." + url.encodeToString(payload.getBytes(UTF_8)) + "."
                + chars(URL_SAFE, 43);
    }

    private String chars(String alphabet, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
