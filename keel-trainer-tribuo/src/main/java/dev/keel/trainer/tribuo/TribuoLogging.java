package dev.keel.trainer.tribuo;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tribuo logs through java.util.logging at INFO for every tree it builds and every epoch it runs; a trainer's progress goes
 * to its run's log instead, so Tribuo's own lines are kept to warnings. The logger is held here: java.util.logging keeps
 * loggers only weakly, and a collected one would forget its level.
 */
final class TribuoLogging {
    private static final Logger TRIBUO = Logger.getLogger("org.tribuo");

    static {
        TRIBUO.setLevel(Level.WARNING);
    }

    private TribuoLogging() {
    }

    /** Makes sure the level is set; called by every trainer's constructor. */
    static void quiet() {
        // the static initializer did the work
    }
}
