package dev.keel.core.alert;

import java.util.List;
import java.util.Optional;

/** Where channels are kept; a channel's name is unique across projects. */
public interface ChannelRepository {
    /** Adds a channel; fails with ALREADY_EXISTS when a channel of that name exists (in any project). */
    void add(Channel channel, String createdBy);

    Optional<Channel> find(String name);

    /** A project's channels by name. */
    List<Channel> list(String project);

    /** Removes a channel; false when there was none. */
    boolean delete(String name);
}
