package dev.prsentinel.core.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.function.Function;
import org.springframework.cloud.function.context.FunctionCatalog;
import org.springframework.cloud.function.context.FunctionRegistration;
import org.springframework.cloud.function.context.catalog.FunctionTypeUtils;
import org.springframework.cloud.function.context.catalog.SimpleFunctionRegistry;
import org.springframework.cloud.function.json.JacksonMapper;
import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.messaging.converter.CompositeMessageConverter;
import org.springframework.messaging.converter.MappingJackson2MessageConverter;

/**
 * A function's logic registered in Spring Cloud Function's catalog and looked up there, as SCF
 * hosts it: each function's FunctionCatalogTest runs its handlers through this, so the same code
 * deploys under SCF wherever users run it.
 */
public final class FunctionCatalogs {

    private FunctionCatalogs() {
    }

    /** Registers {@code function} under {@code name} and returns what the catalog gives back for it. */
    public static Function<CloudEvent, CloudEvent> lookup(String name, Function<CloudEvent, CloudEvent> function) {
        SimpleFunctionRegistry registry = new SimpleFunctionRegistry(new DefaultConversionService(),
                new CompositeMessageConverter(List.of(new MappingJackson2MessageConverter())),
                new JacksonMapper(new ObjectMapper()));
        registry.register(new FunctionRegistration<>(function, name)
                .type(FunctionTypeUtils.functionType(CloudEvent.class, CloudEvent.class)));
        FunctionCatalog catalog = registry;
        Function<CloudEvent, CloudEvent> found = catalog.lookup(name);
        if (found == null) {
            throw new AssertionError("Spring Cloud Function's catalog has no function " + name);
        }
        return found;
    }
}
