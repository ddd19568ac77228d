from rnnviz.core.words import class_summary, plural, relative_figures


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


def test_figures_are_rounded_to_what_the_largest_makes_meaningful():
    # rnnviz explain's occlusion scores of "the food was not good at all", as it printed them
    scores = [-4.46e-10, -4.46e-10, 0.00271, 0.401, 3.57e-07]
    assert relative_figures(scores) == ["0", "0", "+0.003", "+0.401", "0"]
    assert relative_figures([-0.0105, 0.232]) == ["-0.011", "+0.232"]
    assert relative_figures([12.5, -3.0]) == ["+12.5", "-3.0"]
    assert relative_figures([2500.0, 1.0]) == ["+2500", "+1"]
    assert relative_figures([0.0, float("nan")]) == ["0", "nan"]
