/**
 * Errors as data: every deliberate failure is a {@link dev.keel.core.error.KeelException} with a stable
 * {@link dev.keel.core.error.ErrorCode}; its {@link dev.keel.core.error.ErrorCategory} decides the HTTP status.
 */
package dev.keel.core.error;
