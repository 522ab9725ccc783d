package dev.prsentinel.ingest.github;

import java.time.Duration;

/** Waiting, behind an interface so tests can see how long the code would wait without waiting. */
@FunctionalInterface
public interface Sleeper {

    Sleeper REAL = duration -> Thread.sleep(Math.max(0, duration.toMillis()));

    void sleep(Duration duration) throws InterruptedException;
}
