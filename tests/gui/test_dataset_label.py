"""The window's dataset label names each class with its count, as the command line does."""


def test_the_dataset_label_names_each_class_with_its_count(window):
    # it read "negative 40, positive 40": with classes named 1 and 5, "1 40, 5 40"
    text = window.controls.dataset_info.text()
    assert "negative: 40, positive: 40" in text, text
