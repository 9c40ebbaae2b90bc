from lib.line_breaks import breakable_html


def test_a_pid_breaks_after_its_slash_and_hyphens_only() -> None:
    pid = "20.500.12269/cb2f2cf8-3b59-4592"
    assert breakable_html(pid) == "20.500.12269/<wbr>cb2f2cf8-<wbr>3b59-<wbr>4592"


def test_text_is_escaped_and_a_trailing_separator_gets_no_break() -> None:
    assert breakable_html("<a>&b-") == "&lt;a&gt;&amp;b-"


def test_other_separators_on_request() -> None:
    assert breakable_html("/data/p08_2024", separators="/_") == "/<wbr>data/<wbr>p08_<wbr>2024"
