package io.gantry.kube.model;

import io.gantry.engine.tenancy.GangSpec;

/** Lets tests of other packages see the gang a PodGroup becomes. */
public final class TenancyTranslatorAccess {

    private TenancyTranslatorAccess() {
    }

    public static GangSpec gang(TenancyCatalog.PodGroupSpec spec) {
        return TenancyTranslator.gang(spec);
    }
}
