package dev.prsentinel.core.store;

import dev.prsentinel.core.features.RepositoryNorms;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/**
 * A feature set's repository norms in its {@code feature_sets} record, as featurize writes them and
 * train-trigger reads them into the model package. Repositories are a list, not a map keyed by
 * name: a repository's name may hold a dot, which MongoDB reads as a path in a field name.
 */
public final class RepositoryNormsDocuments {

    /** The record's field. */
    public static final String FIELD = "repository_norms";

    private RepositoryNormsDocuments() {
    }

    public static Document toDocument(RepositoryNorms norms) {
        return new Document("features", norms.features()).append("shrinkage", norms.shrinkage())
                .append("global", norm(new Document(), norms.global()))
                .append("repositories", norms.repositories().entrySet().stream()
                        .map(e -> norm(new Document("repo", e.getKey()), e.getValue())).toList());
    }

    /** The norms of a record; null when it has none (a set of a spec that reads none). */
    public static RepositoryNorms fromRecord(Document record) {
        Document d = record.get(FIELD, Document.class);
        if (d == null) {
            return null;
        }
        Map<String, RepositoryNorms.Norm> repositories = new LinkedHashMap<>();
        for (Document r : d.getList("repositories", Document.class)) {
            repositories.put(r.getString("repo"), norm(r));
        }
        return new RepositoryNorms(d.getList("features", String.class), d.getInteger("shrinkage"),
                norm(d.get("global", Document.class)), repositories);
    }

    private static Document norm(Document into, RepositoryNorms.Norm norm) {
        return into.append("prs", norm.prs()).append("center", Arrays.stream(norm.center()).boxed().toList())
                .append("spread", Arrays.stream(norm.spread()).boxed().toList());
    }

    private static RepositoryNorms.Norm norm(Document d) {
        return new RepositoryNorms.Norm(((Number) d.get("prs")).longValue(), doubles(d.getList("center", Number.class)),
                doubles(d.getList("spread", Number.class)));
    }

    private static double[] doubles(List<Number> values) {
        return values.stream().mapToDouble(Number::doubleValue).toArray();
    }
}
