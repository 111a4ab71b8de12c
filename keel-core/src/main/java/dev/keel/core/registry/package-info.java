/**
 * The model registry: registered models, immutable versions with their provenance, aliases and their history.
 *
 * <p>An alias move is what sends traffic to a version, so a promotion is checked twice before it is committed: by the
 * model's metric gate, and by loading the version and scoring a smoke row built from its signature and feature schema
 * ({@code PromotionCheck}). A refused promotion is kept in the history as {@link dev.keel.core.registry.AliasAction#REFUSED}
 * so that the record of who tried what is complete; {@link dev.keel.core.registry.AliasHolders} replays the history for
 * rollback and for the previous-version fallback alike, skipping refusals.
 */
package dev.keel.core.registry;
