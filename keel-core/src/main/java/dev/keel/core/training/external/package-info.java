/**
 * Training with an admin-declared external command: a script in any language (a lab's scikit-learn or R code) that reads
 * the rows Keel writes and writes back an ONNX model and its metrics.
 *
 * <p>Every byte the command writes is hostile until checked, and the command runs without the server's secrets: it gets a
 * fresh 0700 directory, an environment holding only a safe {@code PATH}, locale and the {@code KEEL_*} paths, no stdin, a
 * timeout after which its whole process group is killed, and, on Linux, an address-space limit ({@code prlimit --as}). Its
 * output files are read without following links, within size caps, and checked before anything is returned. The command
 * still runs as the server's user: Keel does not isolate files, network or CPU (docs/external-trainers.md says what to do
 * about that).
 */
package dev.keel.core.training.external;
