package dev.prsentinel.score;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import dev.prsentinel.core.anomaly.Scorer;
import dev.prsentinel.core.model.PullRequest;
import java.time.Instant;
import java.util.Date;
import org.bson.Document;

/**
 * The {@code scores} collection: one document per PR and model version ({@code _id} =
 * "owner/name#number@model:version"), so scoring again with the same model replaces it with the
 * same values and a new model adds its own.
 */
final class ScoreStore {

    static final String COLLECTION = "scores";

    private final MongoCollection<Document> scores;

    ScoreStore(MongoDatabase db) {
        this.scores = db.getCollection(COLLECTION);
    }

    static String id(PullRequest pr, ModelSource.Loaded model) {
        return pr.key() + "@" + model.name() + ":" + model.version();
    }

    void put(PullRequest pr, Scorer.Score s, ModelSource.Loaded model, Instant at) {
        scores.replaceOne(Filters.eq("_id", id(pr, model)), new Document("_id", id(pr, model))
                .append("repo", pr.repo()).append("number", pr.number()).append("model_name", model.name())
                .append("model_version", model.version()).append("score", s.score())
                .append("threshold", s.threshold()).append("anomalous", s.anomalous())
                .append("category", s.category()).append("detector", s.detector())
                .append("top_features", s.top().stream().map(c -> new Document("feature", c.feature())
                        .append("share", c.share())).toList())
                .append("observed_at", pr.observedAt() == null ? null : Date.from(pr.observedAt()))
                .append("scored_at", Date.from(at)), new ReplaceOptions().upsert(true));
    }
}
