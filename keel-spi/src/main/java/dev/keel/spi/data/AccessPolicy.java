package dev.keel.spi.data;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What a pipeline may reach besides its own data: the directories file sources may read (source roots), the directories
 * they never may (Keel's own data), and whether HTTP sources may reach private, loopback or link-local addresses.
 *
 * @param sourceRoots directories file sources must lie in, after {@code ..} and symbolic links are resolved
 * @param deniedDirectories directories no source may read even when under a root (Keel's data directory)
 * @param allowPrivateHosts whether HTTP sources may reach loopback, private, link-local, multicast or unspecified addresses
 * @param allowedHosts host names HTTP sources may reach whatever they resolve to (lower case)
 */
public record AccessPolicy(List<Path> sourceRoots, List<Path> deniedDirectories, boolean allowPrivateHosts,
                           List<String> allowedHosts) {
    public AccessPolicy {
        sourceRoots = sourceRoots.stream().map(root -> realPath(root.toAbsolutePath().normalize())).toList();
        deniedDirectories = deniedDirectories.stream().map(denied -> realPath(denied.toAbsolutePath().normalize())).toList();
        allowedHosts = allowedHosts.stream().map(host -> host.toLowerCase(Locale.ROOT)).toList();
    }

    /** File sources confined to one directory; HTTP sources to public addresses. */
    public static AccessPolicy confinedTo(Path directory) {
        return new AccessPolicy(List.of(directory), List.of(), false, List.of());
    }

    /**
     * The real path of a file a source names, when it lies under a source root and outside the denied directories.
     *
     * @param written the path as the spec gives it, for the message
     * @param resolved the path resolved against the base directory
     * @return the real path (links resolved) to read
     * @throws DataEngineException BAD_SPEC naming the path as written and the roots
     */
    public Path confine(String written, Path resolved, String path) {
        Path real = realPath(resolved.toAbsolutePath().normalize());
        if (!allows(real)) {
            throw new DataEngineException(DataEngineException.Kind.BAD_SPEC, path, refusal(written, resolved, real));
        }
        return real;
    }

    /** Why a path may not be read, or empty when it may. */
    public Optional<String> check(String written, Path resolved) {
        Path real = realPath(resolved.toAbsolutePath().normalize());
        return allows(real) ? Optional.empty() : Optional.of(refusal(written, resolved, real));
    }

    /** True when a real path lies under a root and under no denied directory. */
    public boolean allows(Path real) {
        return sourceRoots.stream().anyMatch(real::startsWith) && deniedDirectories.stream().noneMatch(real::startsWith);
    }

    private String refusal(String written, Path resolved, Path real) {
        Path normalized = resolved.toAbsolutePath().normalize();
        boolean underRoot = sourceRoots.stream().anyMatch(normalized::startsWith);
        boolean denied = deniedDirectories.stream().anyMatch(real::startsWith);
        String why = denied ? " lies in Keel's own data directory, which pipelines cannot read"
                : underRoot ? " leads through a symbolic link outside the source roots"
                : " is outside the source roots";
        return "the path '" + written + "'" + why + "; file sources must lie under " + sourceRoots
                + " (pipelines.source-roots, set by an admin)";
    }

    /** True when a source path is a glob pattern. */
    public static boolean isGlob(String pattern) {
        return pattern.contains("*") || pattern.contains("?") || pattern.contains("[") || pattern.contains("{");
    }

    /** The longest leading part of a resolved glob without wildcards: the directory a walk starts from. */
    public static Path globRoot(Path resolved) {
        Path root = resolved;
        while (root.getParent() != null && root.toString().matches(".*[*?\\[{].*")) {
            root = root.getParent();
        }
        return root;
    }

    /**
     * The real path of a file, or for a path that does not exist yet the real path of its nearest existing parent with the
     * rest appended, so a link anywhere on the way is followed.
     */
    public static Path realPath(Path absolute) {
        return realPath(absolute, 0);
    }

    private static Path realPath(Path absolute, int depth) {
        Path existing = absolute;
        List<Path> rest = new ArrayList<>();
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            rest.addFirst(existing.getFileName());
            existing = existing.getParent();
        }
        if (existing == null) {
            return absolute;
        }
        Path real;
        try {
            real = existing.toRealPath();
        } catch (IOException e) {
            // A dangling link (or a loop): judge it by where it points, so a target created later cannot slip past.
            real = danglingTarget(existing, depth);
        }
        for (Path part : rest) {
            real = real.resolve(part.toString());
        }
        return real.normalize();
    }

    private static Path danglingTarget(Path link, int depth) {
        try {
            if (depth < 40 && Files.isSymbolicLink(link)) {
                Path parent = link.toAbsolutePath().getParent();
                Path target = parent.resolve(Files.readSymbolicLink(link)).normalize();
                return realPath(target, depth + 1);
            }
        } catch (IOException e) {
            // Unreadable link: fall through to a path that lies under no root.
        }
        return Path.of("/").resolve("unresolvable-link");
    }

    /**
     * Checks that a URL's host resolves to public addresses only, unless the policy allows private ones or names the host.
     *
     * @throws DataEngineException BAD_SPEC naming the URL's host and the address kind
     */
    public void checkUrl(String url, String path) {
        refuseHost(url).ifPresent(message -> {
            throw new DataEngineException(DataEngineException.Kind.BAD_SPEC, path, message);
        });
    }

    /** Why a URL's host may not be reached, or empty when it may (or does not resolve: that fails when fetched). */
    public Optional<String> refuseHost(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return Optional.of("'" + url + "' is not a valid URL");
        }
        String host = Objects.requireNonNullElse(uri.getHost(), "");
        if (host.isEmpty()) {
            return Optional.of("'" + url + "' has no host");
        }
        String scheme = Objects.requireNonNullElse(uri.getScheme(), "").toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of("'" + url + "' is not an http or https URL");
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (allowPrivateHosts || allowedHosts.contains(bare.toLowerCase(Locale.ROOT))) {
            return Optional.empty();
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(bare);
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
        for (InetAddress address : addresses) {
            Optional<String> kind = privateKind(address);
            if (kind.isPresent()) {
                return Optional.of("the host '" + bare + "' is " + kind.get() + "; HTTP sources may reach public addresses only"
                        + " unless an admin sets pipelines.http.allow-private or lists the host in pipelines.http.allowed-hosts");
            }
        }
        return Optional.empty();
    }

    /** What kind of non-public address this is, or empty for a public one. */
    public static Optional<String> privateKind(InetAddress address) {
        if (address instanceof Inet6Address six) {
            byte[] bytes = six.getAddress();
            boolean mapped = true;
            for (int index = 0; index < 10; index++) {
                mapped &= bytes[index] == 0;
            }
            if (mapped && (bytes[10] & 0xff) == 0xff && (bytes[11] & 0xff) == 0xff) {
                try {
                    return privateKind(InetAddress.getByAddress(new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]}));
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
            if ((bytes[0] & 0xfe) == 0xfc) {
                return Optional.of("a private address (fc00::/7)");
            }
        }
        if (address instanceof Inet4Address) {
            byte[] bytes = address.getAddress();
            int first = bytes[0] & 0xff;
            int second = bytes[1] & 0xff;
            if (first == 100 && second >= 64 && second < 128) {
                return Optional.of("a shared (carrier-grade NAT) address");
            }
            if (first == 0) {
                return Optional.of("an unspecified address");
            }
        }
        if (address.isLoopbackAddress()) {
            return Optional.of("a loopback address");
        }
        if (address.isLinkLocalAddress()) {
            return Optional.of("a link-local address");
        }
        if (address.isSiteLocalAddress()) {
            return Optional.of("a private address");
        }
        if (address.isAnyLocalAddress()) {
            return Optional.of("an unspecified address");
        }
        if (address.isMulticastAddress()) {
            return Optional.of("a multicast address");
        }
        return Optional.empty();
    }
}
