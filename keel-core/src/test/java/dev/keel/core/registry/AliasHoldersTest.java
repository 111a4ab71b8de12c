package dev.keel.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AliasHoldersTest {
    private static AliasEvent event(AliasAction action, Integer to) {
        return new AliasEvent("churn", 0, "champion", action, Optional.empty(), Optional.ofNullable(to), "", "bob", Instant.EPOCH);
    }

    @Test
    void replay_walksPromotionsAndRollbacksAndSkipsRefusals() {
        AliasHolders holders = AliasHolders.replay(List.of(event(AliasAction.PROMOTE, 1), event(AliasAction.PROMOTE, 2),
                event(AliasAction.REFUSED, 3), event(AliasAction.PROMOTE, 4), event(AliasAction.ROLLBACK, 2)));

        assertThat(holders.current()).contains(2);
        assertThat(holders.previous()).contains(1);
        assertThat(holders.current()).as("previous() leaves the holders as they were").contains(2);
    }

    @Test
    void oneHolder_hasNoPrevious() {
        assertThat(AliasHolders.replay(List.of(event(AliasAction.PROMOTE, 1), event(AliasAction.REFUSED, 2))).previous()).isEmpty();
        assertThat(AliasHolders.replay(List.of()).current()).isEmpty();
    }
}
