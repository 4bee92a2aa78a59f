"""eval.rule_speed: one row per rule with the texts its scan (pattern, then `before`) finds."""

from etl.transform.hn_roles import load_role_rules
from eval.rule_speed import rule_times


def test_rule_times_counts_each_rules_hits_as_the_matcher_does():
    rules = load_role_rules()
    texts = [
        "Acme | Machine Learning Engineer | Remote",
        "Acme | Remote\nWe use machine learning to rank ads.",
        "Acme | Remote\nWe're hiring: Backend, Frontend, Machine Learning",
    ]
    times = rule_times(rules, texts, repeats=1).set_index("rule_id")
    assert sorted(times.index) == sorted(rules["rule_id"])
    assert (times["ms_per_1000"] > 0).all()
    assert times.loc["ml_inc_01", "texts_hit"] == 1  # the title, not the mention
    # a context rule counts a text only where its `before` condition holds: the mention of
    # the field in prose has no hiring word before it
    assert times.loc["ml_inc_11", "texts_hit"] == 1
    round_of = dict(zip(rules["rule_id"], rules["note"].str.match(r"round 8"), strict=True))
    assert times.loc[[r for r, is8 in round_of.items() if is8], "round"].eq(8).all()
