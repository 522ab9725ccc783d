package dev.prsentinel.ingest;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.prsentinel.core.config.MongoSettings;
import dev.prsentinel.core.events.CloudEventEndpoint;
import dev.prsentinel.core.events.EventSink;
import dev.prsentinel.core.store.DeadLetterStore;
import dev.prsentinel.core.store.ProcessedEvents;
import dev.prsentinel.core.store.PullRequestStore;
import dev.prsentinel.ingest.github.GitHubBackfill;
import dev.prsentinel.ingest.github.Sleeper;
import dev.prsentinel.ingest.github.SyncStateStore;
import io.cloudevents.CloudEvent;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.mongo.MongoAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.function.context.FunctionCatalog;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The ingest Knative function: a Spring Cloud Function app whose function is {@link IngestHandlers},
 * served over HTTP by the shared {@link CloudEventEndpoint} (not SCF's own CloudEvent handling,
 * whose automatic reply attributes have looped events behind brokers).
 */
@SpringBootApplication(exclude = MongoAutoConfiguration.class)
@EnableConfigurationProperties(IngestProperties.class)
public class IngestApplication {

    public static void main(String[] args) {
        SpringApplication.run(IngestApplication.class, args);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    MongoSettings mongoSettings(IngestProperties properties) {
        if (properties.mongodbUri() == null || properties.mongodbUri().isBlank()) {
            throw new IllegalStateException("MONGODB_URI is not set: no MongoDB store to connect to");
        }
        return MongoSettings.of(properties.mongodbUri(), properties.mongodbDatabase());
    }

    @Bean(destroyMethod = "close")
    MongoClient mongoClient(MongoSettings settings) {
        return MongoClients.create(settings.connectionString());
    }

    @Bean
    PullRequestStore pullRequestStore(MongoClient client, MongoSettings settings, Clock clock) {
        return new PullRequestStore(client.getDatabase(settings.database()), clock).ensureIndexes();
    }

    @Bean
    DeadLetterStore deadLetterStore(MongoClient client, MongoSettings settings, Clock clock) {
        return new DeadLetterStore(client.getDatabase(settings.database()), clock);
    }

    @Bean
    SyncStateStore syncStateStore(MongoClient client, MongoSettings settings) {
        return new SyncStateStore(client.getDatabase(settings.database()));
    }

    @Bean
    GitHubBackfill gitHubBackfill(IngestProperties p, PullRequestStore store, SyncStateStore states, Clock clock) {
        GitHubBackfill.Settings defaults = GitHubBackfill.Settings.defaults(p.githubEndpoint(), p.githubToken());
        return new GitHubBackfill(new GitHubBackfill.Settings(p.githubEndpoint(), p.githubToken(), p.pageSize(),
                p.rateLimitMaxWait(), defaults.maxAttempts(), defaults.firstBackoff(), defaults.batchSize()),
                store, states, clock, Sleeper.REAL);
    }

    @Bean(destroyMethod = "close")
    SyncJobs syncJobs(GitHubBackfill backfill, IngestProperties properties, Clock clock) {
        return new SyncJobs(backfill, EventSink.forUrl(properties.sink()), clock);
    }

    /** The function, registered with Spring Cloud Function under the name "ingest". */
    @Bean(IngestHandlers.FUNCTION)
    Function<CloudEvent, CloudEvent> ingest(PullRequestStore store, SyncJobs jobs, Clock clock) {
        return new IngestHandlers(store, jobs, clock);
    }

    @Bean
    CloudEventEndpoint cloudEventEndpoint(FunctionCatalog catalog, Environment env, MongoClient client,
            MongoSettings settings, IngestProperties properties, Clock clock) {
        String definition = env.getProperty("spring.cloud.function.definition", IngestHandlers.FUNCTION);
        Function<CloudEvent, CloudEvent> function = catalog.lookup(definition);
        if (function == null) {
            throw new IllegalStateException("no function named " + definition);
        }
        CloudEventEndpoint.Handler handler = event -> Optional.ofNullable(function.apply(event));
        Map<String, CloudEventEndpoint.Handler> handlers = IngestHandlers.acceptedTypes().stream()
                .collect(Collectors.toMap(t -> t, t -> handler));
        return new CloudEventEndpoint(handlers,
                new ProcessedEvents(client.getDatabase(settings.database()), IngestHandlers.FUNCTION, clock),
                properties.maxBodyBytes());
    }

}
