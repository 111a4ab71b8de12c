package dev.keel.core.training.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RuleParseTest {
    @Test
    void parse_readsEveryFormOfTheRightSide() {
        assertThat(Rule.parse("auc >= 0.75")).isEqualTo(new Rule("auc", ">=", new Operand.Constant(0.75)));
        assertThat(Rule.parse("auc >= champion.auc - 0.01"))
            .isEqualTo(new Rule("auc", ">=", new Operand.Champion("auc", Operand.Adjustment.MINUS, 0.01)));
        assertThat(Rule.parse("logloss <= champion.logloss * 1.02"))
            .isEqualTo(new Rule("logloss", "<=", new Operand.Champion("logloss", Operand.Adjustment.TIMES, 1.02)));
        assertThat(Rule.parse("f1 > champion.f1")).isEqualTo(new Rule("f1", ">", new Operand.Champion("f1")));
        assertThat(Rule.parse("rmse <= champion.rmse + 0.5"))
            .isEqualTo(new Rule("rmse", "<=", new Operand.Champion("rmse", Operand.Adjustment.PLUS, 0.5)));
        assertThat(Rule.parse("  mae<2.5e1 ")).isEqualTo(new Rule("mae", "<", new Operand.Constant(25)));
        assertThat(Rule.parse("auc>=champion.auc-0.01").expression()).isEqualTo("auc >= champion.auc - 0.01");
    }

    @Test
    void expression_writesTheRuleBackAsParsed() {
        for (String text : new String[] {"auc >= 0.75", "auc >= champion.auc - 0.01", "logloss <= champion.logloss * 1.02",
            "f1 > champion.f1", "rmse <= champion.rmse + 0.5", "r2 < -1"}) {
            assertThat(Rule.parse(text).expression()).isEqualTo(text);
        }
        assertThat(Rule.parse("auc >= champion.auc").relative()).isTrue();
        assertThat(Rule.parse("auc >= 0.5").relative()).isFalse();
    }

    @Test
    void parse_refusesAWrongOperator_quotingTheRule() {
        assertThatThrownBy(() -> Rule.parse("auc => 0.7")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("rule 'auc => 0.7' is not a comparison; expected METRIC OP VALUE with OP one of >=, >, <=, <");
        assertThatThrownBy(() -> Rule.parse("auc == 0.7")).hasMessageStartingWith("rule 'auc == 0.7' is not a comparison");
        assertThatThrownBy(() -> Rule.parse("auc >== 0.7")).hasMessageStartingWith("rule 'auc >== 0.7' has operator '>=='");
    }

    @Test
    void parse_refusesABadRightSide_quotingIt() {
        assertThatThrownBy(() -> Rule.parse("auc >= champ.auc")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("rule 'auc >= champ.auc' compares with 'champ.auc', which is neither a number nor champion.METRIC [+|-|* NUMBER]");
        assertThatThrownBy(() -> Rule.parse("auc >= champion.auc / 2")).hasMessageContaining("compares with 'champion.auc / 2'");
        assertThatThrownBy(() -> Rule.parse("auc >= 0.7.1")).hasMessageContaining("compares with '0.7.1'");
        assertThatThrownBy(() -> Rule.parse("auc >=")).hasMessageStartingWith("rule 'auc >=' has nothing after '>='");
    }

    @Test
    void parse_refusesTextThatIsNoRule() {
        assertThatThrownBy(() -> Rule.parse("0.7 <= auc")).hasMessageStartingWith("rule '0.7 <= auc' is not a comparison");
        assertThatThrownBy(() -> Rule.parse("")).hasMessageStartingWith("rule '' is not a comparison");
        assertThatThrownBy(() -> Rule.parse("auc")).hasMessageContaining("for example 'auc >= champion.auc - 0.01'");
    }

    @Test
    void constructor_refusesAnUnknownOperator() {
        assertThatThrownBy(() -> new Rule("auc", "=", new Operand.Constant(1))).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("operator '=' is not one of [>=, >, <=, <]");
    }
}
