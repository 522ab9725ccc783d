package dev.prsentinel.bluegreen;

import dev.prsentinel.bluegreen.ServiceRoutes.ServiceState;
import dev.prsentinel.bluegreen.ServiceRoutes.Target;
import java.util.List;

/** What `status` prints for one environment: who serves, which model, the split, the last rollout's figures. */
public final class Status {

    private Status() {
    }

    public static String render(String environment, ServiceRoutes routes) {
        ServiceState s = routes.read();
        StringBuilder out = new StringBuilder();
        String serving = s.serving().orElse("(none)");
        String model = s.serving().flatMap(routes::revision).map(ServiceRoutes.RevisionState::modelVersion)
                .orElse(null);
        out.append(environment).append(": serving ").append(serving).append(", model version ")
                .append(model == null ? "(the registry's alias, not pinned)" : model).append('\n');
        List<Target> split = s.routed().isEmpty() ? s.traffic() : s.routed();
        out.append("  traffic:");
        if (split.isEmpty()) {
            out.append(" 100% latest ready revision (no traffic block)");
        }
        for (Target t : split) {
            out.append(' ').append(t.percent()).append("% ")
                    .append(t.latestRevision() ? "latest" : t.revisionName())
                    .append(t.tag() == null ? "" : " [" + t.tag() + "]");
        }
        out.append('\n');
        if (s.rollout() == null) {
            out.append("  no rollout yet\n");
            return out.toString();
        }
        Rollout r = Rollout.fromJson(s.rollout());
        out.append("  last rollout ").append(r.id()).append(": version ").append(r.candidate()).append(' ')
                .append(r.step()).append(" (blue ").append(r.blueRevision()).append(" v").append(r.blueModel())
                .append(", green ").append(r.greenRevision()).append("), started ").append(r.started())
                .append(", updated ").append(r.updated()).append('\n');
        for (String line : r.checkLines(false)) {
            out.append("    ").append(line).append('\n');
        }
        for (String why : r.reasons()) {
            out.append("    reason: ").append(why).append('\n');
        }
        return out.toString();
    }
}
