package dev.prsentinel.local.demo;

import com.mongodb.client.MongoDatabase;
import dev.prsentinel.core.anomaly.ModelPackage;
import dev.prsentinel.core.anomaly.Scorer;
import dev.prsentinel.core.store.PullRequestDocuments;
import dev.prsentinel.core.synthetic.SyntheticPullRequests;
import java.util.EnumMap;
import java.util.Map;
import org.bson.Document;

/**
 * A trained model applied to every stored PR with the plain-Java forward pass (what score will
 * serve): how many PRs it flags, and how many of the injected anomalies are among them, by kind.
 *
 * @param flagged     stored PRs above the threshold
 * @param scored      stored PRs scored
 * @param caught      injected anomalies flagged, by kind
 * @param injected    injected anomalies stored, by kind
 */
public record ModelCheck(long flagged, long scored, Map<SyntheticPullRequests.Kind, Integer> caught,
        Map<SyntheticPullRequests.Kind, Integer> injected) {

    public static ModelCheck of(ModelPackage model, MongoDatabase db, Map<String, SyntheticPullRequests.Kind> kinds) {
        Scorer scorer = new Scorer(model);
        long flagged = 0;
        long scored = 0;
        Map<SyntheticPullRequests.Kind, Integer> caught = new EnumMap<>(SyntheticPullRequests.Kind.class);
        Map<SyntheticPullRequests.Kind, Integer> injected = new EnumMap<>(SyntheticPullRequests.Kind.class);
        for (Document d : db.getCollection(PullRequestDocuments.COLLECTION).find().batchSize(2000)) {
            var pr = PullRequestDocuments.fromDocument(d);
            boolean anomalous = scorer.score(model.spec().extract(pr, model.repositories())) > model.threshold();
            scored++;
            flagged += anomalous ? 1 : 0;
            SyntheticPullRequests.Kind kind = kinds.get(pr.key());
            if (kind != null) {
                injected.merge(kind, 1, Integer::sum);
                if (anomalous) {
                    caught.merge(kind, 1, Integer::sum);
                }
            }
        }
        return new ModelCheck(flagged, scored, caught, injected);
    }

    public int caughtTotal() {
        return caught.values().stream().mapToInt(Integer::intValue).sum();
    }

    public int injectedTotal() {
        return injected.values().stream().mapToInt(Integer::intValue).sum();
    }
}
