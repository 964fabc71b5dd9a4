"""The expiry engine's clocks: day boundaries, catch-up, and no stale notices."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from orchestration.expiry import (
    Certification,
    Registration,
    certification_notices,
    compliance_notices,
    extension_decision,
    registration_notices,
)

APPROVED = date(2026, 1, 1)


def reg(**kw) -> Registration:
    return Registration(
        **{
            "registration_id": "r1",
            "partner_id": "p1",
            "approved_on": APPROVED,
            "protection_days": 90,
            **kw,
        }
    )


def due(today: date, **kw) -> list[tuple[str, int]]:
    return [(n.notice_kind, n.threshold_days) for n in registration_notices([reg(**kw)], today)]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (29, []),
        (30, [("protection_reminder", 30)]),
        (31, [("protection_reminder", 30)]),  # a missed day catches up
        (36, [("protection_reminder", 30)]),
        (37, []),  # outside the 7-day look-back: never a stale notice
        (60, [("protection_reminder", 60)]),
        (89, []),
        (90, [("protection_expired", 90)]),  # the 90-day notice releases protection
        (91, [("protection_expired", 90)]),
    ],
)
def test_registration_reminders_fall_due_on_their_day(day: int, expected) -> None:
    assert due(APPROVED + timedelta(days=day)) == expected


def test_an_approved_extension_moves_the_end_of_protection() -> None:
    extended = {"extended_until": APPROVED + timedelta(days=150)}
    assert due(APPROVED + timedelta(days=90), **extended) == [("protection_reminder", 90)]
    assert due(APPROVED + timedelta(days=150), **extended) == [("protection_expired", 150)]


def test_a_closed_registration_gets_no_more_notices() -> None:
    closed = {"closed_on": APPROVED + timedelta(days=45)}
    assert due(APPROVED + timedelta(days=60), **closed) == []
    assert due(APPROVED + timedelta(days=90), **closed) == []
    assert due(APPROVED + timedelta(days=30), **closed) == [("protection_reminder", 30)]


def test_shorter_programme_windows_skip_thresholds_beyond_them() -> None:
    assert due(APPROVED + timedelta(days=60), protection_days=45) == []
    assert due(APPROVED + timedelta(days=45), protection_days=45) == [("protection_expired", 45)]


def test_notices_say_what_happens_next() -> None:
    (notice,) = registration_notices([reg()], APPROVED + timedelta(days=60))
    assert notice.message == (
        "Registration r1 was approved 60 days ago; protection expires on 2026-04-01 (30 days left). "
        "Request an extension if the deal is still being worked."
    )
    assert notice.key == ("registration", "r1", "protection_reminder", 60)


@pytest.mark.parametrize(
    ("days_to_expiry", "expected"),
    [
        (61, []),
        (60, [("expiry_alert", 60)]),
        (30, [("expiry_alert", 30)]),
        (7, [("expiry_alert", 7)]),
        (6, [("expiry_alert", 7)]),
        (0, [("lapsed", 0)]),
    ],
)
def test_certification_alerts_60_30_7_days_before_and_on_lapse(
    days_to_expiry: int, expected
) -> None:
    expires = date(2026, 6, 30)
    cert = Certification("c1", "k1", "p1", expires)
    today = expires - timedelta(days=days_to_expiry)
    assert [
        (n.notice_kind, n.threshold_days) for n in certification_notices([cert], today)
    ] == expected


def test_extension_is_approved_only_with_recent_activity() -> None:
    requested = date(2026, 3, 1)
    assert extension_decision(requested, date(2026, 2, 20), 14)[0] == "approved"
    assert extension_decision(requested, date(2026, 2, 15), 14)[0] == "approved"
    decision, why = extension_decision(requested, date(2026, 2, 14), 14)
    assert (
        decision == "review"
        and why == "last activity 2026-02-14: nothing in the 14 days before the request"
    )
    assert extension_decision(requested, None, 14) == (
        "review",
        "no activity logged: nothing in the 14 days before the request",
    )


def test_partners_without_a_signed_dpa_are_told_once_that_they_are_restricted() -> None:
    notices = compliance_notices([("p9", "Acme Cloud")], date(2026, 9, 30))
    assert [(n.subject_type, n.subject_id, n.notice_kind, n.threshold_days) for n in notices] == [
        ("partner", "p9", "restricted_no_dpa", 0)
    ]
    assert "Acme Cloud has no current signed data-processing agreement" in notices[0].message
    # the key holds no date, so the next day's run issues nothing new
    later = compliance_notices([("p9", "Acme Cloud")], date(2026, 10, 1))
    assert later[0].key == notices[0].key
