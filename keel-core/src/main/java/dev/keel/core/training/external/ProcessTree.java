package dev.keel.core.training.external;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A run's process and everything it started. The process is the leader of a session and process group of its own when
 * {@code setsid} wrapped it; then the whole group is signalled with {@code kill}, which reaches grandchildren whose parent
 * has exited (those are no longer descendants). Otherwise only the descendants still linked to it are reached.
 */
final class ProcessTree {
    static final Duration GRACE = Duration.ofSeconds(2);
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);
    private static final List<Path> KILL_PROGRAMS = List.of(Path.of("/bin/kill"), Path.of("/usr/bin/kill"));

    private final Process process;
    private final boolean ownGroup;

    ProcessTree(Process process, boolean ownGroup) {
        this.process = process;
        this.ownGroup = ownGroup;
    }

    static Optional<Path> killProgram() {
        return KILL_PROGRAMS.stream().filter(Files::isExecutable).findFirst();
    }

    /** Asks every process of the tree to stop (SIGTERM), waits {@link #GRACE}, then kills what is left (SIGKILL). */
    void kill() {
        List<ProcessHandle> members = members();
        members.forEach(ProcessHandle::destroy);
        signalGroup("TERM");
        if (!awaitExit(members, GRACE)) {
            members().forEach(ProcessHandle::destroyForcibly);
            members.forEach(ProcessHandle::destroyForcibly);
            signalGroup("KILL");
            awaitExit(members, KILL_WAIT);
        }
    }

    /** Kills whatever the run left behind after its own process exited, such as a background child still holding its pipes. */
    void killLeftovers() {
        List<ProcessHandle> members = members();
        members.forEach(ProcessHandle::destroyForcibly);
        signalGroup("KILL");
        awaitExit(members, KILL_WAIT);
    }

    private List<ProcessHandle> members() {
        List<ProcessHandle> members = new ArrayList<>();
        members.add(process.toHandle());
        process.descendants().forEach(members::add);
        return members;
    }

    /**
     * Signals the process group named by the leader's pid. The group keeps that id while any member lives, so the signal
     * reaches only the run's processes; when none is left it finds no group.
     */
    private void signalGroup(String signal) {
        if (!ownGroup) {
            return;
        }
        Optional<Path> kill = killProgram();
        if (kill.isEmpty()) {
            return;
        }
        ProcessBuilder builder = new ProcessBuilder(kill.get().toString(), "-s", signal, "--", "-" + process.pid())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().clear();
        try {
            Process killer = builder.start();
            if (!waitUninterruptibly(killer.onExit(), KILL_WAIT)) {
                killer.destroyForcibly();
            }
        } catch (IOException ignored) {
            // no group signal: the descendants were signalled one by one already
        }
    }

    private static boolean awaitExit(List<ProcessHandle> members, Duration wait) {
        CompletableFuture<?>[] exits = members.stream().map(ProcessHandle::onExit).toArray(CompletableFuture<?>[]::new);
        return waitUninterruptibly(CompletableFuture.allOf(exits), wait);
    }

    /** Waits for {@code future}; an interrupt does not cut the wait short (killing must finish) and is kept for the caller. */
    static boolean waitUninterruptibly(CompletableFuture<?> future, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    return true;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    return true;
                } catch (TimeoutException e) {
                    return false;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits for {@code thread} to end, like {@link #waitUninterruptibly}. */
    static boolean joinUninterruptibly(Thread thread, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    long left = deadline - System.nanoTime();
                    return left > 0 ? thread.join(Duration.ofNanos(left)) : !thread.isAlive();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
