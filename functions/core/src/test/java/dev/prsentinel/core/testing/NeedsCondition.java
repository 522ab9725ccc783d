package dev.prsentinel.core.testing;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/** Evaluates {@link Needs} before the class starts: disabled with every missing part named, or failed under CI=true. */
public final class NeedsCondition implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Needs needs = context.getElement().flatMap(e -> AnnotationSupport.findAnnotation(e, Needs.class)).orElse(null);
        if (needs == null) {
            return ConditionEvaluationResult.enabled("no @Needs");
        }
        List<String> missing = new ArrayList<>();
        for (Need need : needs.value()) {
            need.missing().ifPresent(missing::add);
        }
        for (String path : needs.shared()) {
            SharedData.missing(path).ifPresent(missing::add);
        }
        return evaluate(missing);
    }

    /** Enabled when nothing is missing; else disabled with every reason, or failed under CI=true. */
    static ConditionEvaluationResult evaluate(List<String> missing) {
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("everything it needs is here");
        }
        String why = String.join("; ", missing);
        if (Need.strict()) {
            throw new AssertionError("under CI everything is installed, yet " + why);
        }
        return ConditionEvaluationResult.disabled("skipped: " + why);
    }
}
