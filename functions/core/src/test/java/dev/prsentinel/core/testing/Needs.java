package dev.prsentinel.core.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a test class (or one test) needs before it can run: the real parts .ci/run installs, and
 * files under ../shared. Checked before the class starts ({@link NeedsCondition}), so a class
 * whose {@code @BeforeAll} would start a missing tool is reported test by test as skipped with the
 * reason. An assumption failing inside {@code @BeforeAll} aborts the class instead, and Maven
 * counts it as "Tests run: 0", as though it had no tests. Under CI=true a missing need fails.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Inherited
@ExtendWith(NeedsCondition.class)
public @interface Needs {

    /** The tools the class starts. */
    Need[] value() default {};

    /** Paths under ../shared the class reads before its tests run. */
    String[] shared() default {};
}
