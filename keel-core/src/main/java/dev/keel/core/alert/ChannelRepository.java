package dev.keel.core.alert;

import java.util.List;
import java.util.Optional;

/** Where channels are kept, by project and name. */
public interface ChannelRepository {
    /** Adds a channel; fails with ALREADY_EXISTS when the project has one of that name. */
    void add(Channel channel, String createdBy);

    Optional<Channel> find(String project, String name);

    /** A project's channels by name. */
    List<Channel> list(String project);

    /** Removes a channel; false when there was none. */
    boolean delete(String project, String name);
}
