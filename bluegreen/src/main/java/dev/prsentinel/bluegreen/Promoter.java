package dev.prsentinel.bluegreen;

import dev.prsentinel.bluegreen.Rollout.Step;
import dev.prsentinel.bluegreen.ServiceRoutes.Owned;
import dev.prsentinel.bluegreen.ServiceRoutes.RevisionState;
import dev.prsentinel.bluegreen.ServiceRoutes.ServiceState;
import dev.prsentinel.bluegreen.ServiceRoutes.Target;
import dev.prsentinel.bluegreen.gate.GateResult;
import dev.prsentinel.core.events.EventTypes;
import dev.prsentinel.core.events.Events;
import dev.prsentinel.core.events.RolloutOutcome;
import dev.prsentinel.core.http.EventSink;
import dev.prsentinel.core.tracking.Tracking;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blue/green rollout of a candidate model on the score Service.
 *
 * <ol>
 *   <li>The candidate's template (MODEL_VERSION pinned, initial-scale at blue's pod count) and a
 *       traffic block that pins blue by name at 100% under tag {@code blue} and gives tag
 *       {@code green} to the latest revision at 0%. Knative makes the candidate's revision; it is
 *       then pinned by name too. No revision is ever routed by latestRevision with a share
 *       (knative/serving#16649).</li>
 *   <li>Green Ready at the target scale, within a timeout.</li>
 *   <li>The load gate (perf/) on green's own address.</li>
 *   <li>The quality gate: the same recent PRs to blue and green.</li>
 *   <li>Both passed: 100% to green in one write (blue kept, tagged, at 0%), then the registry's
 *       alias, then {@code model.promoted}. Either failed: the traffic block without green,
 *       MODEL_VERSION back to blue's, the alias untouched, {@code model.rejected} with the figures.</li>
 * </ol>
 *
 * <p><b>Crash safety.</b> Everything the promoter owns of the Service (traffic, MODEL_VERSION,
 * initial-scale, and the {@link Rollout} record) is a function of the record alone
 * ({@link #owned}) and is written in one write per step, conditional on the resourceVersion just
 * read. A promoter started after a crash reads the record and carries on from its step; every
 * step is safe to repeat. Traffic is never split: green holds 0% until the single switch.
 *
 * <p><b>Concurrency.</b> Rollouts hold the {@link RolloutLock}; a second candidate waits for it.
 * When it gets it, it finds one of: the previous rollout finished (it starts its own, unless the
 * version served is already newer than it, when it is superseded: model.rejected, nothing
 * changed); or the previous one unfinished, its holder gone (that rollout is ended as rejected,
 * "interrupted", with the traffic restored to its blue, and the newcomer starts). A redelivered
 * candidate whose rollout finished changes nothing: its outcome event is sent again with the same
 * id. {@link #rollback} takes no lock: it is the way out of anything, and a rollout in progress
 * sees the record changed at its next write and stops.
 */
public final class Promoter {

    private static final Logger LOG = LoggerFactory.getLogger(Promoter.class);
    static final String FUNCTION = "bluegreen";
    /** The version tag recording which environments' gates a version passed: prsentinel.passed.ENV. */
    public static final String PASSED_TAG = "prsentinel.passed.";

    /** The load gate: the perf/ scenarios against an address. */
    public interface LoadTest {
        GateResult run(URI green) throws Exception;
    }

    /** The quality gate: the same sample to both addresses, each answer checked for its model version. */
    public interface QualityProbe {
        GateResult run(URI blue, String blueModel, URI green, String greenModel) throws Exception;
    }

    /**
     * @param environment    staging, production, local
     * @param modelName      the registered model
     * @param alias          the alias a promotion moves (champion)
     * @param requirePassed  an environment whose gates a candidate must have passed first, or null
     * @param createTimeout  how long Knative may take to make green
     * @param readyTimeout   how long green may take to be Ready at the target scale
     * @param poll           how often the Service is read while waiting
     * @param lockWait       how long a candidate waits for another's rollout
     * @param identity       who this promoter is (pod name): the lock's holder
     */
    public record Settings(String environment, String modelName, String alias, String requirePassed,
            Duration createTimeout, Duration readyTimeout, Duration poll, Duration lockWait, String identity) {
    }

    /**
     * A rollback's result.
     *
     * @param rollout     the record after it
     * @param applied     time from the command to the Service accepting the one write
     * @param served      time from the command until the route served only blue,
             or null if it did not within the timeout
     * @param message     what happened, for a person
     */
    public record RollbackResult(Rollout rollout, Duration applied, Duration served, String message) {
    }

    /** The promoter's own failure to continue (lost lock, a Service nobody can roll out on). */
    public static final class Stopped extends RuntimeException {
        public Stopped(String message) {
            super(message);
        }
    }

    private final ServiceRoutes routes;
    private final RolloutLock lock;
    private final Tracking tracking;
    private final LoadTest load;
    private final QualityProbe quality;
    private final EventSink sink;
    private final Clock clock;
    private final Settings settings;

    public Promoter(ServiceRoutes routes, RolloutLock lock, Tracking tracking, LoadTest load, QualityProbe quality,
            EventSink sink, Clock clock, Settings settings) {
        this.routes = routes;
        this.lock = lock;
        this.tracking = tracking;
        this.load = load;
        this.quality = quality;
        this.sink = sink;
        this.clock = clock;
        this.settings = settings;
    }

    /** The rollout the Service's annotation records, if any. */
    public Optional<Rollout> current() {
        return Optional.ofNullable(routes.read().rollout()).map(Rollout::fromJson);
    }

    /** Rolls a candidate out, or resumes its rollout; returns the finished record. */
    public Rollout promote(String candidate) throws InterruptedException, TimeoutException {
        if (candidate == null || !candidate.matches("\\d+")) {
            throw new IllegalArgumentException("model_version: a registered version number is needed, got \""
                    + candidate + "\"");
        }
        var registered = tracking.versions(settings.modelName()).stream()
                .filter(v -> v.version().equals(candidate)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("model_version: " + settings.modelName()
                        + " has no version " + candidate));
        try (RolloutLock.Held held = lock.acquire(settings.identity() + "/" + candidate, settings.lockWait())) {
            ServiceState state = routes.read();
            Rollout r = state.rollout() == null ? null : Rollout.fromJson(state.rollout());
            if (r != null && r.candidate().equals(candidate) && r.environment().equals(settings.environment())) {
                if (r.step().finished()) {
                    LOG.info("rollout {} of version {} finished already ({}): nothing to do", r.id(), candidate,
                            r.step());
                    return settleFinished(r);
                }
                LOG.info("resuming rollout {} of version {} at {}", r.id(), candidate, r.step());
                return drive(r, held);
            }
            if (r != null && !r.step().finished()) {
                LOG.warn("rollout {} of version {} was interrupted at {}: ending it, traffic back to {}", r.id(),
                        r.candidate(), r.step(), r.blueRevision());
                Rollout ended = write(r.finished(Step.REJECTED, List.of("interrupted at " + r.step()
                        + " and superseded by version " + candidate), now()));
                emit(ended);
                state = routes.read();
            }
            if (settings.requirePassed() != null
                    && !registered.tags().containsKey(PASSED_TAG + settings.requirePassed())) {
                return notStarted(candidate, state, "version " + candidate + " has not passed "
                        + settings.requirePassed() + "'s gates (no tag " + PASSED_TAG + settings.requirePassed()
                        + "): " + settings.environment() + " takes only what " + settings.requirePassed()
                                + " promoted");
            }
            Optional<String> served = state.intended().flatMap(routes::revision).map(RevisionState::modelVersion);
            if (served.isPresent() && served.get().matches("\\d+")
                    && Long.parseLong(served.get()) > Long.parseLong(candidate)) {
                return notStarted(candidate, state, "superseded: version " + served.get()
                        + ", newer than this candidate, serves already");
            }
            return drive(start(candidate, state), held);
        }
    }

    /** Starts a rollout: blue is what serves now. */
    private Rollout start(String candidate, ServiceState state) {
        String blue = state.intended().orElseThrow(() -> new Stopped(
                "score serves no revision yet: there is nothing to roll a candidate out against"));
        RevisionState blueRevision = routes.revision(blue).orElseThrow(() -> new Stopped(
                "the serving revision " + blue + " does not exist"));
        String blueModel = servedModel(blueRevision);
        if (candidate.equals(blueModel) && !newerRevisionOf(state, blue, candidate)) {
            // The first model ever: train-trigger made it champion and score serves it by the alias.
            // Nothing to roll out and nothing was turned down: no event.
            String at = now();
            LOG.info("version {} is what {} serves already: nothing to roll out", candidate, blue);
            return new Rollout(settings.environment() + "-v" + candidate + "-serving", settings.environment(),
                    candidate, Step.PROMOTED, blue, blueModel, blue, 0, 0, settings.identity(), at, at, List.of(),
                    List.of("serves already"));
        }
        String at = now();
        Rollout r = new Rollout(settings.environment() + "-v" + candidate + "-" + clock.millis(),
                settings.environment(), candidate, Step.CREATING, blue, blueModel, null, 0,
                Math.max(1, blueRevision.actualReplicas()), settings.identity(), at, at, List.of(), List.of());
        LOG.info("rollout {}: blue {} (version {}, {} pods), candidate {}", r.id(), blue, blueModel, r.targetScale(),
                candidate);
        return write(r);
    }

    /** The version a revision serves: its pin, else what the alias names now (it loaded that at start). */
    private String servedModel(RevisionState revision) {
        return revision.modelVersion() != null ? revision.modelVersion()
                : tracking.versionByAlias(settings.modelName(), settings.alias()).map(Tracking.ModelVersion::version)
                        .orElse(null);
    }

    /** Knative made a revision after blue with the same model: a template change from git (a new image). */
    private boolean newerRevisionOf(ServiceState state, String blue, String model) {
        String latest = state.latestCreatedRevision();
        return latest != null && !latest.equals(blue)
                && routes.revision(latest).map(r -> model.equals(r.modelVersion())).orElse(false);
    }

    /**
     * Rolls out what git changed under a pinned traffic block. Traffic pinned by revision name
     * holds a new revision (an image digest Argo CD synced) at 0% until someone moves it: this
     * takes the newest revision, serving the same model, through the same gates as a new model
     * (the quality gate then compares one model on two images, which must agree). Run after each
     * sync (Argo CD's PostSync hook, knative/bluegreen/reconcile-hook.yaml); with nothing new it
     * changes nothing. An unfinished rollout is resumed instead.
     */
    public Optional<Rollout> reconcile() throws InterruptedException, TimeoutException {
        try (RolloutLock.Held held = lock.acquire(settings.identity() + "/reconcile", settings.lockWait())) {
            ServiceState state = routes.read();
            Rollout r = state.rollout() == null ? null : Rollout.fromJson(state.rollout());
            if (r != null && !r.step().finished()) {
                LOG.info("resuming rollout {} of version {} at {}", r.id(), r.candidate(), r.step());
                return Optional.of(drive(r, held));
            }
            Optional<String> serving = state.intended();
            if (serving.isEmpty()) {
                return Optional.empty();
            }
            String model = routes.revision(serving.get()).map(this::servedModel).orElse(null);
            if (model == null || !newerRevisionOf(state, serving.get(), model)) {
                LOG.info("nothing to roll out: {} serves the newest revision", serving.get());
                return Optional.empty();
            }
            LOG.info("revision {} (version {}) waits behind {}: rolling it out", state.latestCreatedRevision(), model,
                    serving.get());
            return Optional.of(drive(start(model, state), held));
        }
    }

    /** A candidate turned down before anything changed: an event, and the Service left as it is. */
    private Rollout notStarted(String candidate, ServiceState state, String why) {
        String at = now();
        Rollout r = new Rollout(settings.environment() + "-v" + candidate + "-refused", settings.environment(),
                candidate, Step.REJECTED, state.intended().orElse(null), null, null, 0, 0, settings.identity(), at, at,
                List.of(), List.of(why));
        LOG.warn("version {} not rolled out: {}", candidate, why);
        emit(r);
        return r;
    }

    private Rollout drive(Rollout start, RolloutLock.Held held) throws InterruptedException {
        Rollout r = start;
        while (!r.step().finished()) {
            if (!held.held()) {
                throw new Stopped("the rollout lock was lost at " + r.step() + ": another promoter may run; this one"
                        + " stops, and a rerun resumes from the record");
            }
            r = switch (r.step()) {
                case CREATING -> awaitGreenCreated(r);
                case GREEN_CREATED -> awaitGreenReady(r);
                case GREEN_READY -> loadGate(r);
                case LOAD_PASSED -> qualityGate(r);
                case QUALITY_PASSED -> switchToGreen(r);
                case SWITCHED -> completePromotion(r);
                default -> throw new IllegalStateException(r.step().name());
            };
        }
        return r;
    }

    private Rollout awaitGreenCreated(Rollout r) throws InterruptedException {
        Instant deadline = clock.instant().plus(settings.createTimeout());
        while (true) {
            ServiceState s = routes.read();
            Rollout live = stillOurs(s, r);
            if (live != r) {
                return live;
            }
            String latest = s.latestCreatedRevision();
            if (s.observedGeneration() >= s.generation() && latest != null && !latest.equals(r.blueRevision())) {
                Optional<RevisionState> rev = routes.revision(latest);
                if (rev.isPresent() && r.candidate().equals(rev.get().modelVersion())) {
                    LOG.info("rollout {}: green is {}", r.id(), latest);
                    return write(r.withGreen(latest, now()));
                }
            }
            if (clock.instant().isAfter(deadline)) {
                return reject(r, "green: Knative made no revision of version " + r.candidate() + " within "
                        + settings.createTimeout() + " (latest created: " + latest + ")");
            }
            Thread.sleep(settings.poll().toMillis());
        }
    }

    private Rollout awaitGreenReady(Rollout r) throws InterruptedException {
        Optional<String> notReady = awaitScale(r);
        if (notReady.isPresent()) {
            return reject(r, notReady.get());
        }
        return write(r.at(Step.GREEN_READY, now()));
    }

    /** Waits until green is Ready at the target scale; empty when it is, else why not. */
    private Optional<String> awaitScale(Rollout r) throws InterruptedException {
        Instant deadline = clock.instant().plus(settings.readyTimeout());
        RevisionState last = null;
        while (true) {
            last = routes.revision(r.greenRevision()).orElse(null);
            if (last != null && last.ready() && last.actualReplicas() >= r.targetScale()) {
                return Optional.empty();
            }
            if (clock.instant().isAfter(deadline)) {
                return Optional.of("green: revision " + r.greenRevision() + " not Ready at " + r.targetScale()
                        + " pods within " + settings.readyTimeout() + (last == null ? " (it does not exist)"
                        : " (ready " + last.ready() + ", " + last.actualReplicas() + " pods"
                        + (last.message() == null ? "" : ": " + last.message()) + ")"));
            }
            Thread.sleep(settings.poll().toMillis());
        }
    }

    private Rollout loadGate(Rollout r) throws InterruptedException {
        URI green = awaitAddress("green", r.greenRevision());
        if (green == null) {
            return reject(r, "green: the route gives tag green no address within " + settings.readyTimeout());
        }
        GateResult result;
        try {
            result = load.run(green);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return reject(r, "load gate could not run: " + e.getMessage());
        }
        Rollout next = r.withGate(result, result.passed() ? Step.LOAD_PASSED : r.step(), now());
        LOG.info("rollout {}: load gate {}", r.id(), result.passed() ? "passed" : "FAILED");
        return result.passed() ? write(next) : reject(next, "load gate failed");
    }

    private Rollout qualityGate(Rollout r) throws InterruptedException {
        URI blue = awaitAddress("blue", r.blueRevision());
        URI green = awaitAddress("green", r.greenRevision());
        if (blue == null || green == null) {
            return reject(r, "quality gate: the route gives tag " + (blue == null ? "blue" : "green")
                    + " no address within " + settings.readyTimeout());
        }
        GateResult result;
        try {
            result = quality.run(blue, r.blueModel(), green, r.candidate());
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return reject(r, "quality gate could not run: " + e.getMessage());
        }
        Rollout next = r.withGate(result, result.passed() ? Step.QUALITY_PASSED : r.step(), now());
        LOG.info("rollout {}: quality gate {}", r.id(), result.passed() ? "passed" : "FAILED");
        return result.passed() ? write(next) : reject(next, "quality gate failed");
    }

    private Rollout switchToGreen(Rollout r) throws InterruptedException {
        // The scale may have fallen while the gates ran: never give the traffic to fewer pods.
        Optional<String> notReady = awaitScale(r);
        if (notReady.isPresent()) {
            return reject(r, "before the switch, " + notReady.get());
        }
        Rollout switched = write(r.at(Step.SWITCHED, now()));
        LOG.info("rollout {}: 100% to green {}", r.id(), r.greenRevision());
        return switched;
    }

    private Rollout completePromotion(Rollout r) {
        settle(r);
        Rollout done = write(r.at(Step.PROMOTED, now()));
        LOG.info("rollout {}: version {} promoted in {}", r.id(), r.candidate(), settings.environment());
        return done;
    }

    /** The registry's side of a promotion and its event; both safe to repeat. */
    private void settle(Rollout r) {
        tracking.setAlias(settings.modelName(), settings.alias(), r.candidate());
        tracking.setVersionTag(settings.modelName(), r.candidate(), PASSED_TAG + settings.environment(), r.id());
        emit(r.at(Step.PROMOTED, r.updated()));
    }

    /** A finished rollout met again: its effects made sure of, nothing else. */
    private Rollout settleFinished(Rollout r) {
        if (r.step() == Step.PROMOTED) {
            settle(r);
        } else if (r.step() == Step.REJECTED) {
            emit(r);
        }
        return r;
    }

    private Rollout reject(Rollout r, String why) {
        LOG.warn("rollout {}: rejected: {}", r.id(), why);
        Rollout rejected = write(r.finished(Step.REJECTED, List.of(why), now()));
        if (rejected.step() == Step.REJECTED && rejected.id().equals(r.id())) {
            emit(rejected);
        }
        return rejected;
    }

    /** Rolls back to the last rollout's blue in one write, and measures until the route serves only blue. */
    public RollbackResult rollback() throws InterruptedException {
        long t0 = System.nanoTime();
        for (int attempt = 0;; attempt++) {
            ServiceState s = routes.read();
            if (s.rollout() == null) {
                return new RollbackResult(null, null, null,
                        "no rollout is recorded on the Service: nothing to roll back");
            }
            Rollout r = Rollout.fromJson(s.rollout());
            if (r.step() == Step.ROLLED_BACK || r.step() == Step.REJECTED) {
                return new RollbackResult(r, null, null, "rollout " + r.id() + " ended " + r.step()
                        + ": blue " + r.blueRevision() + " serves already");
            }
            Rollout back = r.finished(Step.ROLLED_BACK, List.of("rolled back from " + r.step()), now());
            try {
                routes.apply(owned(back), s.resourceVersion());
            } catch (ServiceRoutes.Conflict e) {
                if (attempt < 5) {
                    continue;
                }
                throw e;
            }
            Duration applied = Duration.ofNanos(System.nanoTime() - t0);
            Duration served = awaitOnly(back.blueRevision());
            if (back.blueModel() != null) {
                tracking.setAlias(settings.modelName(), settings.alias(), back.blueModel());
            }
            LOG.info("rolled back to {} (version {}): applied in {} ms, served only by it after {}", back.blueRevision(
                    ),
                    back.blueModel(), applied.toMillis(), served == null ? "(not within the timeout)"
                            : served.toMillis() + " ms");
            return new RollbackResult(back, applied, served, "traffic back to " + back.blueRevision());
        }
    }

    private Duration awaitOnly(String revision) throws InterruptedException {
        long t0 = System.nanoTime();
        Instant deadline = clock.instant().plus(settings.readyTimeout());
        while (clock.instant().isBefore(deadline)) {
            List<Target> routed = routes.read().routed();
            if (!routed.isEmpty() && routed.stream().allMatch(t -> t.percent() == 0
                    || revision.equals(t.revisionName()) && t.percent() == 100)) {
                return Duration.ofNanos(System.nanoTime() - t0);
            }
            Thread.sleep(Math.max(1, settings.poll().toMillis() / 4));
        }
        return null;
    }

    private URI awaitAddress(String tag, String revision) throws InterruptedException {
        Instant deadline = clock.instant().plus(settings.readyTimeout());
        while (true) {
            ServiceState s = routes.read();
            boolean routedThere = s.routed().stream().anyMatch(t -> tag.equals(t.tag())
                    && revision.equals(t.revisionName()));
            Optional<URI> address = routes.address(tag);
            if (routedThere && address.isPresent()) {
                return address.get();
            }
            if (clock.instant().isAfter(deadline)) {
                return null;
            }
            Thread.sleep(settings.poll().toMillis());
        }
    }

    /** What the promoter owns of the Service, from the record alone. */
    static Owned owned(Rollout r) {
        List<Target> traffic = new ArrayList<>();
        String model;
        switch (r.step()) {
            case CREATING -> {
                traffic.add(Target.pinned(r.blueRevision(), 100, "blue"));
                traffic.add(new Target(null, true, 0, "green", null));
                model = r.candidate();
            }
            case GREEN_CREATED, GREEN_READY, LOAD_PASSED, QUALITY_PASSED -> {
                traffic.add(Target.pinned(r.blueRevision(), 100, "blue"));
                traffic.add(Target.pinned(r.greenRevision(), 0, "green"));
                model = r.candidate();
            }
            case SWITCHED, PROMOTED -> {
                traffic.add(Target.pinned(r.greenRevision(), 100, "green"));
                traffic.add(Target.pinned(r.blueRevision(), 0, "blue"));
                model = r.candidate();
            }
            case REJECTED -> {
                traffic.add(Target.pinned(r.blueRevision(), 100, "blue"));
                model = r.blueModel();
            }
            case ROLLED_BACK -> {
                traffic.add(Target.pinned(r.blueRevision(), 100, "blue"));
                if (r.greenRevision() != null) {
                    traffic.add(Target.pinned(r.greenRevision(), 0, "green"));
                }
                model = r.blueModel();
            }
            default -> throw new IllegalStateException(r.step().name());
        }
        return new Owned(traffic, model, r.targetScale() > 0 ? r.targetScale() : null, r.toJson());
    }

    /**
     * Writes a record with the fields it implies, on the condition that nobody changed the Service
     * since it was read. On a conflict (Argo CD's sync, Knative's own writes) it reads again: if the
     * record is still the one this promoter wrote last, it writes again; if it is not (a rollback),
     * it returns what the Service now holds and the promoter goes no further.
     */
    private Rollout write(Rollout r) {
        for (int attempt = 0;; attempt++) {
            ServiceState s = routes.read();
            Rollout live = s.rollout() == null ? null : Rollout.fromJson(s.rollout());
            if (live != null && !live.id().equals(r.id()) && !live.step().finished()) {
                throw new Stopped("the Service records another rollout in progress (" + live.id() + ")");
            }
            if (live != null && live.id().equals(r.id()) && live.step() == Step.ROLLED_BACK) {
                LOG.warn("rollout {} was rolled back meanwhile: stopping", r.id());
                return live;
            }
            try {
                routes.apply(owned(r), s.resourceVersion());
                return r;
            } catch (ServiceRoutes.Conflict e) {
                if (attempt >= 10) {
                    throw e;
                }
                LOG.info("the Service changed while rollout {} wrote {}: reading it again", r.id(), r.step());
            }
        }
    }

    /** The record as the Service holds it, if another writer (a rollback) ended it; else {@code r}. */
    private Rollout stillOurs(ServiceState s, Rollout r) {
        Rollout live = s.rollout() == null ? null : Rollout.fromJson(s.rollout());
        return live != null && live.id().equals(r.id()) && live.step() == Step.ROLLED_BACK ? live : r;
    }

    private void emit(Rollout r) {
        boolean promoted = r.step() == Step.PROMOTED;
        String type = promoted ? EventTypes.MODEL_PROMOTED : EventTypes.MODEL_REJECTED;
        String outcome = promoted ? "promoted" : r.reasons().stream().anyMatch(x -> x.contains("superseded"))
                ? "superseded" : "rejected";
        RolloutOutcome data = new RolloutOutcome(r.id(), r.environment(), r.candidate(), r.blueRevision(), r.blueModel(
                ),
                r.greenRevision(), outcome, r.checkLines(false), promoted ? List.of() : failures(r));
        sink.send(Events.create(Events.derivedId(type, r.id()), type, EventTypes.MODEL_ROLLOUT, RolloutOutcome.VERSION,
                FUNCTION, settings.modelName() + "/" + r.candidate(), data, clock));
    }

    private static List<String> failures(Rollout r) {
        List<String> failed = new ArrayList<>(r.checkLines(true));
        failed.addAll(r.reasons());
        return failed;
    }

    private String now() {
        return clock.instant().toString();
    }
}
