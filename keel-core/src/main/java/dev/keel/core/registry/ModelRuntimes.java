package dev.keel.core.registry;

import dev.keel.core.error.ErrorCode;
import dev.keel.core.error.KeelException;
import dev.keel.spi.ModelRuntime;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The model runtimes on the class path, by artifact format. */
public final class ModelRuntimes {
    private final Map<String, ModelRuntime> byFormat = new TreeMap<>();

    public ModelRuntimes(List<ModelRuntime> runtimes) {
        for (ModelRuntime runtime : runtimes) {
            byFormat.put(runtime.format(), runtime);
        }
    }

    /** The runtimes found with {@link ServiceLoader}. */
    public static ModelRuntimes discover() {
        return new ModelRuntimes(ServiceLoader.load(ModelRuntime.class).stream().map(ServiceLoader.Provider::get).toList());
    }

    public ModelRuntime require(String format) {
        ModelRuntime runtime = byFormat.get(format);
        if (runtime == null) {
            throw new KeelException(ErrorCode.INVALID_REQUEST, "format '" + format + "' has no runtime; available: " + byFormat.keySet());
        }
        return runtime;
    }

    public List<String> formats() {
        return List.copyOf(byFormat.keySet());
    }
}
