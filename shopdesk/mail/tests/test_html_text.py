import pytest

from shopdesk.mail.html_text import html_to_text


def test_script_style_head_and_comments_are_dropped():
    html = (
        "<html><head><title>T</title><style>p { color: red }</style></head>"
        "<body><!-- secret --><p>您好</p><script>alert(1)</script><noscript>x</noscript></body>"
    )
    assert html_to_text(html) == "您好"


def test_entities_are_decoded_and_nbsp_becomes_a_space():
    assert html_to_text("<p>a&nbsp;b &lt;&amp;&gt; &quot;q&quot; &#20320;&#x597D;</p>") == (
        'a b <&> "q" 你好'
    )


def test_escaped_markup_stays_text_and_never_becomes_tags():
    text = html_to_text("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><b onclick='x()'>bold</b>")
    assert text == "<script>alert(1)</script>\n\nbold"


def test_paragraphs_and_line_breaks():
    assert html_to_text("<p>one</p><p>two<br>three<br/>four</p><div>five</div>") == (
        "one\n\ntwo\nthree\nfour\n\nfive"
    )


def test_source_whitespace_collapses_but_pre_keeps_it():
    assert html_to_text("<p>a\n   b\t c</p><pre>x  y\nz</pre>") == "a b c\n\nx  y\nz"


def test_lists_become_dashed_lines():
    assert html_to_text("<ul><li>运动鞋</li><li>袜子</li></ul><ol><li>one</li></ol>") == (
        "- 运动鞋\n- 袜子\n\n- one"
    )


def test_table_cells_are_separated_and_rows_are_lines():
    html = "<table><tr><th>商品</th><th>数量</th></tr><tr><td>鞋</td><td>1</td></tr></table>"
    assert html_to_text(html) == "商品 | 数量\n鞋 | 1"


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ('<a href="https://shop.example/o/1">my order</a>', "my order (https://shop.example/o/1)"),
        ('<a href="https://shop.example">https://shop.example</a>', "https://shop.example"),
        ('<a href="mailto:a@b.cn">a@b.cn</a>', "a@b.cn"),
        ('<a href="mailto:a@b.cn">write</a>', "write (a@b.cn)"),
        ('<a href="javascript:alert(1)">click</a>', "click"),
        ('<a href="#top">top</a>', "top"),
        ('<a href="https://x.example/"><img src="a.png"></a>', "https://x.example/"),
    ],
)
def test_links_keep_their_text_and_show_a_different_target(html, text):
    assert html_to_text(html) == text


def test_unclosed_head_does_not_swallow_the_body():
    assert html_to_text("<html><head><title>t</title><body><p>正文</p>") == "正文"


def test_broken_markup_still_gives_text():
    assert html_to_text("<p>open <b>bold <i>both</p> after </div></span> end") == (
        "open bold both\n\nafter\n\nend"
    )
