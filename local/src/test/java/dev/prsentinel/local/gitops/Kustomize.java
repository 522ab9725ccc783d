package dev.prsentinel.local.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** What {@code kubectl kustomize} renders from a folder of the project, as Argo CD would. */
final class Kustomize {

    /** The project's root, seen from this module's folder (where Maven runs its tests). */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private Kustomize() {
    }

    /** The rendered YAML, or a skip (a failure under CI) when kubectl is not installed. */
    static String renderText(String folder) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("kubectl", "kustomize", ROOT.resolve(folder).toString()).start();
        } catch (IOException e) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("kubectl is missing: it renders the manifests as Argo CD does", e);
            }
            assumeTrue(false, "skipped: kubectl (with kustomize) is not installed");
            throw new IllegalStateException("unreachable");
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("kubectl kustomize %s: %s", folder, err).isZero();
        return out;
    }

    /** The rendered documents of a folder, in kustomize's order. */
    static List<Map<String, Object>> render(String folder) throws Exception {
        return parse(renderText(folder));
    }

    static List<Map<String, Object>> parse(String text) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : yaml().loadAll(text)) {
            if (doc != null) {
                docs.add(cast(doc));
            }
        }
        return docs;
    }

    static Yaml yaml() {
        return new Yaml(new SafeConstructor(new LoaderOptions()));
    }

    @SuppressWarnings("unchecked")
    static <T> T cast(Object o) {
        return (T) o;
    }

    /** The value at a dotted path of maps ({@code "spec.template.spec"}), or null. */
    static <T> T at(Object node, String path) {
        Object here = node;
        for (String key : path.split("\\.")) {
            if (!(here instanceof Map<?, ?> map)) {
                return null;
            }
            here = map.get(key);
        }
        return cast(here);
    }

    static String kind(Map<String, Object> doc) {
        return (String) doc.get("kind");
    }

    static String name(Map<String, Object> doc) {
        return at(doc, "metadata.name");
    }
}
