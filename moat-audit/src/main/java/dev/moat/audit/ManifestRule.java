package dev.moat.audit;

import dev.moat.core.Rule;
import dev.moat.kube.Inventory;

/** A rule over the loaded manifests. */
public interface ManifestRule extends Rule<Inventory> {
}
