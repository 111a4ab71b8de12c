package dev.keel.core.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs every test of the annotated class once on SQLite and once on PostgreSQL; the class takes the store as
 * {@code @Parameter StoreKind store} and opens it with {@link TestDatabases#open(StoreKind, java.nio.file.Path)}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedClass(name = "{0}")
@EnumSource(StoreKind.class)
public @interface OnEachStore {
}
