package dev.keel.core.serving;

import dev.keel.spi.event.AliasMoved;
import dev.keel.spi.event.EventSink;
import dev.keel.spi.event.KeelEvent;

/**
 * The route table's subscription to alias moves: called on the promoting thread, so that a promotion or rollback made in
 * this process has rebuilt the routes of the model's endpoints when it returns (moves made elsewhere arrive with the
 * periodic refresh).
 */
record AliasFollower(RouteTable table) implements EventSink {
    @Override
    public void accept(KeelEvent event) {
        if (event instanceof AliasMoved moved) {
            table.aliasMoved(moved);
        }
    }

    @Override
    public boolean wants(Class<? extends KeelEvent> kind) {
        return kind == AliasMoved.class;
    }

    @Override
    public boolean onPublisherThread() {
        return true;
    }

    @Override
    public String name() {
        return "serving-routes";
    }
}
