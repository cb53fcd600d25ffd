"""Which requests' answers may be held, by what key, and how many are held (replies.py)."""

from __future__ import annotations

import time
from typing import Any

from regulars.replies import HeldReplies, HeldReply, reply_key

BASIC = (b"authorization", b"Basic Y2tfMTpjc18x")


def scope(path: str = "/wp-json/wc/v3/customers/7", *headers: tuple[bytes, bytes], **over: Any) -> dict:
    return {
        "type": "http",
        "method": "GET",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"shop.test"), *headers],
        "client": ("10.0.0.9", 5000),
        **over,
    }


def reply(stamp: tuple[int, ...] = (1, 1), body: bytes = b"x" * 100, due: float | None = None) -> HeldReply:
    return HeldReply(stamp, 200, ((b"content-type", b"application/json"),), body, due or time.time() + 60)


def test_a_plain_read_has_a_key_and_each_thing_its_answer_depends_on_changes_it() -> None:
    base = reply_key(scope("/wp-json/wc/v3/customers/7", BASIC))
    assert base is not None and len(base) == 32
    variants = [
        scope("/wp-json/wc/v3/customers/8", BASIC),
        scope("/wp-json/wc/v2/customers/7", BASIC),
        scope("/wp-json/wc/v3/customers/7", BASIC, query_string=b"context=edit"),
        scope("/wp-json/wc/v3/customers/7", BASIC, method="HEAD"),
        scope("/wp-json/wc/v3/customers/7", BASIC, scheme="http"),
        scope("/wp-json/wc/v3/customers/7", (b"authorization", b"Basic Y2tfMjpjc18y")),
        scope("/wp-json/wc/v3/customers/7"),
        {**scope("/wp-json/wc/v3/customers/7", BASIC), "headers": [(b"host", b"other.test"), BASIC]},
        scope("/wp-json/wc/v3/customers/7", BASIC, (b"x-forwarded-proto", b"https")),
        scope("/wp-json/wc/v3/customers/7", BASIC, (b"x-forwarded-host", b"shop.example")),
    ]
    keys = [reply_key(v) for v in variants]
    assert None not in keys
    assert len({base, *keys}) == len(variants) + 1
    # Headers an answer does not depend on leave the key as it is.
    assert reply_key(scope("/wp-json/wc/v3/customers/7", BASIC, (b"user-agent", b"curl"))) == base


def test_forwarding_headers_count_with_the_address_they_came_from() -> None:
    forwarded = (b"x-forwarded-proto", b"https")
    one = reply_key(scope("/wp-json/wc/v3/customers/7", BASIC, forwarded))
    other = reply_key(scope("/wp-json/wc/v3/customers/7", BASIC, forwarded, client=("10.0.0.10", 1)))
    assert one != other
    plain = scope("/wp-json/wc/v3/customers/7", BASIC)
    assert reply_key(plain) == reply_key({**plain, "client": ("10.0.0.10", 1)})


def test_requests_whose_answers_are_never_held_have_no_key() -> None:
    never = [
        scope("/wp-json/wc/v3/customers/7", BASIC, method="POST"),
        scope("/wp-json/wc/v3/customers/7", BASIC, method="OPTIONS"),
        scope("/wc-api/v3/customers/7", BASIC),
        scope("/ping"),
        scope("/wp-json/wc/v3/customers/7", query_string=b"oauth_consumer_key=ck_1&oauth_nonce=1"),
        scope("/wp-json/wc/v3/customers/7", (b"authorization", b'OAuth oauth_consumer_key="ck_1"')),
        scope("/wp-json/wc/v3/customers/7", BASIC, query_string=b"_method=DELETE"),
        scope("/wp-json/wc/v3/customers/7", BASIC, (b"x-http-method-override", b"DELETE")),
        scope("/wp-json/wc/v3/customers/7", BASIC, (b"content-length", b"12")),
        scope("/wp-json/wc/v3/customers/7", BASIC, (b"transfer-encoding", b"chunked")),
        {"type": "websocket", "path": "/wp-json/wc/v3/customers/7", "headers": []},
    ]
    assert [reply_key(s) for s in never] == [None] * len(never)
    assert reply_key(scope("/wp-json/wc/v3/customers/7", BASIC, (b"content-length", b"0"))) is not None


def test_a_held_answer_is_given_while_the_stamp_stands_and_its_use_needs_no_recording() -> None:
    held = HeldReplies(10_000)
    kept = reply((3, 4))
    held.keep(b"a", kept)
    assert held.get(b"a", lambda: (3, 4)) is kept
    assert held.get(b"a", lambda: (3, 5)) is None
    assert held.get(b"a", lambda: (4, 4)) is None
    assert held.get(b"b", lambda: (3, 4)) is None
    held.keep(b"due", reply((3, 4), due=time.time() - 1))
    assert held.get(b"due", lambda: (3, 4)) is None


def test_the_stamp_is_read_only_when_something_is_held() -> None:
    held = HeldReplies(10_000)
    asked: list[int] = []

    def stamp() -> tuple[int, ...]:
        asked.append(1)
        return (1, 1)

    assert held.get(b"a", stamp) is None
    assert asked == []


def test_an_answer_made_at_newer_revisions_lets_the_older_go_and_an_older_one_is_not_kept() -> None:
    held = HeldReplies(10_000)
    held.keep(b"a", reply((1, 1)))
    held.keep(b"b", reply((1, 2)))
    assert len(held) == 1 and held.get(b"b", lambda: (1, 2)) is not None
    held.keep(b"c", reply((1, 1)))  # a request that read before the change and answered after it
    assert len(held) == 1 and held.get(b"c", lambda: (1, 1)) is None
    held.keep(b"d", reply((2, 2)))
    assert len(held) == 1 and held.size == reply().size


def test_past_the_limit_the_least_recently_given_go_first() -> None:
    one = reply().size
    held = HeldReplies(3 * one)
    for key in (b"a", b"b", b"c"):
        held.keep(key, reply())
    assert held.get(b"a", lambda: (1, 1)) is not None  # a is now the most recently given
    held.keep(b"d", reply())
    assert held.get(b"b", lambda: (1, 1)) is None
    assert [k for k in (b"a", b"c", b"d") if held.get(k, lambda: (1, 1))] == [b"a", b"c", b"d"]
    assert held.size == 3 * one
    held.keep(b"d", reply())  # kept again: counted once
    assert held.size == 3 * one and len(held) == 3


def test_an_answer_larger_than_the_limit_is_not_held_and_a_limit_of_zero_holds_none() -> None:
    held = HeldReplies(500)
    held.keep(b"big", reply(body=b"x" * 1000))
    assert len(held) == 0 and held.size == 0
    none = HeldReplies(0)
    none.keep(b"a", reply(body=b""))
    assert len(none) == 0
