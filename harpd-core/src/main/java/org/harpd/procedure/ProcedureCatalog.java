package org.harpd.procedure;

import java.util.Collection;
import java.util.Optional;

/** The procedures the daemon exposes, as read from the procedures file at start-up. */
public interface ProcedureCatalog {
    Optional<ProcedureInfo> find(String name);

    Collection<ProcedureInfo> all();
}
