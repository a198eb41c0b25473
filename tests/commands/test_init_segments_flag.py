"""``gtmplan init --segments``: each item ``ID[:SHARE[:DEAL_SIZE]]`` (docs/reference/cli.md, 'init'),
every bad item named with the fix, shares filled in equally and adding up to 1."""

from __future__ import annotations

import pytest

from gtmplan.commands.init import SegmentAnswer, parse_segments


def test_segments_without_shares_share_the_target_equally():
    # (1 - 0) / 3 each
    assert parse_segments("smb,mid,ent") == (SegmentAnswer("smb", 1 / 3), SegmentAnswer("mid", 1 / 3),
                                             SegmentAnswer("ent", 1 / 3))


def test_segments_left_without_a_share_share_what_the_others_leave():
    # smb states 40% (0.4); mid and ent share the rest: (1 - 0.4) / 2 = 0.3 each; ent's deal size 90k = 90,000
    got = parse_segments(" SMB:40%, mid , ent::90k ")
    assert [s.id for s in got] == ["smb", "mid", "ent"]
    assert [round(s.share, 10) for s in got] == [0.4, 0.3, 0.3]
    assert [s.deal_size for s in got] == [None, None, 90000.0]


@pytest.mark.parametrize("text", ["", "none", "one", "1"])
def test_no_segments(text):
    assert parse_segments(text) == ()


@pytest.mark.parametrize("text, message", [
    ("smb:0.4:8k:x,ent", "'smb:0.4:8k:x': write each segment as ID, ID:SHARE or ID:SHARE:DEAL_SIZE (smb:0.4:8k)"),
    ("smb,Ent_2", "'Ent_2' is not a segment id: lower-case letters, digits and dashes (smb, mid-market)"),
    ("smb:abc,ent", "'smb:abc': 'abc' is not a share (write 40% as 0.4)"),
    ("smb:0,ent", "'smb:0': a segment's share must be above 0"),
    ("smb:0.5:lots,ent", "'smb:0.5:lots': 'lots' is not an amount: write digits, e.g. 1200000, 1,200,000 or $1.2M"),
    ("smb", "name at least two segments (smb,enterprise); one segment is the plan without segments"),
    (",".join(f"s{i}" for i in range(11)), "11 segments: at most 10"),
    ("smb,ent,smb,ent,mid", "ent, smb given twice"),
    # 0.6 + 0.4 = 1 leaves 0 for ent
    ("smb:0.6,mid:0.4,ent", "the shares given add up to 1, leaving nothing for ent"),
    # 0.5 + 0.6 = 1.1
    ("smb:0.5,ent:0.6", "the shares add up to 1.1, not 1: each quarter's target is divided among the segments"),
])
def test_bad_segments_are_named_with_the_fix(text, message):
    with pytest.raises(ValueError) as e:
        parse_segments(text)
    assert str(e.value) == message


def test_shares_that_add_up_to_one_within_a_millionth_are_taken():
    """The near miss of the last case: 0.3333333 x 3 = 0.9999999, within 1e-6 of 1 (0.333333 x 3 =
    0.999999 is not: the shares add up to 0.999999, not 1)."""
    assert [s.share for s in parse_segments("a:0.3333333,b:0.3333333,c:0.3333333")] == [0.3333333] * 3
    with pytest.raises(ValueError, match=r"^the shares add up to 0\.999999, not 1: "):
        parse_segments("a:0.333333,b:0.333333,c:0.333333")
