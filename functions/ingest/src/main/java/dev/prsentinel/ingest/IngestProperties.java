package dev.prsentinel.ingest;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the ingest app (application.yaml; environment variables override).
 *
 * @param mongodbUri     connection string (MONGODB_URI); to be served by Vault
 * @param mongodbDatabase database name
 * @param githubEndpoint GitHub API root; a replay server in tests
 * @param githubToken    GitHub token (GITHUB_TOKEN), empty for anonymous; to be served by Vault
 * @param pageSize       PRs per list page
 * @param rateLimitMaxWait waits for GitHub's rate limit up to this long; longer ones are rescheduled
 * @param maxBodyBytes   larger events are refused with 413
 * @param sink           K_SINK: where backfill results are posted
 */
@ConfigurationProperties(prefix = "prsentinel")
public record IngestProperties(String mongodbUri, String mongodbDatabase, String githubEndpoint, String githubToken,
        int pageSize, Duration rateLimitMaxWait, long maxBodyBytes, String sink) {
}
