import pytest

from rnnviz.core.words import MOST_LISTED, class_summary, listed, percent, plural, relative_figures


def test_counts_take_the_singular_for_one():
    assert plural(1, "epoch") == "1 epoch" and plural(2, "epoch") == "2 epochs"
    assert plural(0, "step") == "0 steps" and plural(1320, "sentence") == "1,320 sentences"
    assert (
        plural(1, "class", "classes") == "1 class" and plural(3, "class", "classes") == "3 classes"
    )


def test_class_counts_cannot_be_read_as_one_number():
    # classes named by numbers (star ratings) read as "1 105, 5 95" before
    assert class_summary(("1", "5"), (105, 95)) == "1: 105, 5: 95"
    assert (
        class_summary(("negative", "positive"), (1800, 1800)) == "negative: 1,800, positive: 1,800"
    )


@pytest.mark.parametrize("n", [MOST_LISTED, MOST_LISTED + 1, MOST_LISTED + 2, 100, 10_000])
def test_many_classes_are_summarised_by_the_largest(n):
    counts = [c % 7 + 1 for c in range(n)]
    text = class_summary([f"c{c}" for c in range(n)], counts)
    if n <= MOST_LISTED + 1:  # all of them, in their order: "+1 more" takes the room of one
        assert text == ", ".join(f"c{c}: {counts[c]}" for c in range(n))
        return
    named = text.split(", ")
    assert len(named) == MOST_LISTED + 1 and named[-1] == f"+{n - MOST_LISTED:,} more classes"
    largest = sorted(counts, reverse=True)[:MOST_LISTED]
    assert [int(entry.split(": ")[1]) for entry in named[:-1]] == largest


def test_a_list_is_cut_after_the_first_few():
    assert listed(["a", "b"], "words") == "a, b"
    names = [str(i) for i in range(20)]
    assert listed(names, "names") == ", ".join(names[:MOST_LISTED]) + ", +12 more names"


@pytest.mark.parametrize(
    "p, text",
    [(0.66, "66.0%"), (1.0, "100.0%"), (0.001, "0.1%"), (0.0, "0.0%"), (1.23e-4, "0.012%")],
)
def test_small_probabilities_keep_two_significant_digits(p, text):
    assert percent(p) == text
    assert percent(3e-5) == "0.0030%" and percent(1.5e-9) == "0.00000015%"


def test_figures_are_rounded_to_what_the_largest_makes_meaningful():
    # rnnviz explain's occlusion scores of "the food was not good at all", as it printed them
    scores = [-4.46e-10, -4.46e-10, 0.00271, 0.401, 3.57e-07]
    assert relative_figures(scores) == ["0", "0", "+0.003", "+0.401", "0"]
    assert relative_figures([-0.0105, 0.232]) == ["-0.011", "+0.232"]
    assert relative_figures([12.5, -3.0]) == ["+12.5", "-3.0"]
    assert relative_figures([2500.0, 1.0]) == ["+2500", "+1"]
    assert relative_figures([0.0, float("nan")]) == ["0", "nan"]
