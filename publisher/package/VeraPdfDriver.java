// Validates PDFs with the veraPDF validation library and prints one JSON object per file.
//
// Input (stdin): one job a line, "FLAVOUR<TAB>PATH", FLAVOUR a veraPDF flavour id
// (1a, 2b, 3u, ua1, ...). Output (stdout): one line per job, in order:
//   {"file": PATH, "flavour": ID, "profile": NAME, "compliant": BOOL,
//    "failed": [{"specification": S, "clause": C, "test": N, "description": D, "count": K}]}
// or {"file": PATH, "flavour": ID, "error": MESSAGE} when the file could not be validated.
// The first line is {"verapdf": VERSION, "core": VERSION}. Used by publisher/package/verapdf.py, which
// compiles it once into a cache folder; one JVM validates every file of a run.
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.ValidationResult;
import org.verapdf.pdfa.validation.profiles.Rule;
import org.verapdf.pdfa.validation.profiles.RuleId;

public final class VeraPdfDriver {
    private VeraPdfDriver() {}

    public static void main(String[] args) throws Exception {
        Logger.getLogger("").setLevel(Level.OFF);  // the library logs to stderr; we report
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        VeraGreenfieldFoundryProvider.initialise();
        out.println("{\"verapdf\": " + quote(version("validation-model"))
            + ", \"core\": " + quote(version("library")) + "}");
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            int tab = line.indexOf('\t');
            if (tab < 0) {
                continue;
            }
            out.println(validate(line.substring(0, tab), line.substring(tab + 1)));
        }
    }

    // The release properties of the validation model (the rules' implementation) and of
    // the core library, read as resources: ReleaseDetails only knows the ones it was told of.
    private static String version(String project) {
        String name = "org/verapdf/release/" + project + ".properties";
        try (InputStream stream = VeraPdfDriver.class.getClassLoader().getResourceAsStream(name)) {
            if (stream == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(stream);
            return properties.getProperty("verapdf.release.version", "unknown");
        } catch (IOException error) {
            return "unknown";
        }
    }

    private static String validate(String id, String path) {
        String head = "{\"file\": " + quote(path) + ", \"flavour\": " + quote(id);
        PDFAFlavour flavour = PDFAFlavour.byFlavourId(id);
        if (flavour == null || flavour == PDFAFlavour.NO_FLAVOUR) {
            return head + ", \"error\": " + quote("unknown veraPDF flavour " + id) + "}";
        }
        try (PDFAParser parser = Foundries.defaultInstance().createParser(new File(path), flavour);
             PDFAValidator validator = Foundries.defaultInstance().createValidator(flavour, false)) {
            ValidationResult result = validator.validate(parser);
            Map<String, String> failed = new TreeMap<>();
            for (Map.Entry<RuleId, Integer> entry : result.getFailedChecks().entrySet()) {
                RuleId rule = entry.getKey();
                Rule described = result.getValidationProfile().getRuleByRuleId(rule);
                String description = described == null ? "" : described.getDescription();
                String key = String.format("%s %s %05d", rule.getSpecification().getId(),
                    rule.getClause(), rule.getTestNumber());
                failed.put(key, "{\"specification\": " + quote(rule.getSpecification().getId())
                    + ", \"clause\": " + quote(rule.getClause())
                    + ", \"test\": " + rule.getTestNumber()
                    + ", \"description\": " + quote(description.trim())
                    + ", \"count\": " + entry.getValue() + "}");
            }
            return head + ", \"profile\": " + quote(result.getProfileDetails().getName())
                + ", \"compliant\": " + result.isCompliant()
                + ", \"failed\": [" + String.join(", ", failed.values()) + "]}";
        } catch (Throwable error) {
            String message = error.getClass().getSimpleName() + ": " + error.getMessage();
            return head + ", \"error\": " + quote(message) + "}";
        }
    }

    private static String quote(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"': quoted.append("\\\""); break;
                case '\\': quoted.append("\\\\"); break;
                case '\n': quoted.append("\\n"); break;
                case '\r': quoted.append("\\r"); break;
                case '\t': quoted.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
            }
        }
        return quoted.append('"').toString();
    }
}
