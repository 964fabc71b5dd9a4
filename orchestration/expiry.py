"""The expiry engine's clocks, as pure functions: which notices are due on a given day.

Three clocks, one rule for all of them: a notice has a **due date**; on an evaluation day it is due
when its due date is on or before that day and no more than ``lookback_days`` before it (so a job
that missed a day catches up, and a first run does not mail years of stale notices). Whether it was
already sent is not decided here: the outbox's unique key (subject, notice kind, threshold) makes
each notice exactly once, however often the job runs.

* Deal registrations: reminders ``thresholds`` days after approval while protection lasts, and a
  notice on the day it expires (``protection_days`` after approval, 90 by default, so 30/60/90),
  which releases it. An approved extension moves the expiry.
* Certifications: alerts ``days_before`` expiry (60/30/7); expiry itself stops the certification
  counting for tiering at once (the marts do that; here it is a notice).
* Extensions: a pending request is approved automatically when the deal shows logged activity in
  the ``activity_window_days`` before the request, otherwise it is left for review.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal


@dataclass(frozen=True)
class Registration:
    """An approved deal registration as the expiry engine needs it."""

    registration_id: str
    partner_id: str
    approved_on: date
    protection_days: int
    extended_until: date | None = None
    closed_on: date | None = None
    """The day the deal closed or the registration was otherwise resolved; no notices after it."""

    @property
    def expires_on(self) -> date:
        """The first day without protection: approval + protection days, or the extension's end."""
        base = self.approved_on + timedelta(days=self.protection_days)
        return max(base, self.extended_until) if self.extended_until else base


@dataclass(frozen=True)
class Certification:
    certification_id: str
    contact_id: str
    partner_id: str
    expires_on: date


@dataclass(frozen=True)
class Notice:
    """One notice for the outbox; (subject_type, subject_id, notice_kind, threshold_days) is unique."""

    subject_type: Literal["registration", "certification", "partner"]
    subject_id: str
    partner_id: str
    notice_kind: str
    threshold_days: int
    due_on: date
    message: str

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.subject_type, self.subject_id, self.notice_kind, self.threshold_days)


def _in_window(due_on: date, today: date, lookback_days: int) -> bool:
    return today - timedelta(days=lookback_days) < due_on <= today


def registration_notices(
    registrations: Iterable[Registration],
    today: date,
    thresholds: Sequence[int] = (30, 60, 90),
    lookback_days: int = 7,
) -> list[Notice]:
    """Registration notices due on ``today``: reminders at each threshold before expiry, and the
    expiry notice on the day protection ends (which releases it)."""
    notices = []
    for reg in registrations:
        end = reg.expires_on
        for days in sorted(set(thresholds)):
            due = reg.approved_on + timedelta(days=days)
            if due >= end or not _in_window(due, today, lookback_days):
                continue
            if reg.closed_on is not None and reg.closed_on <= due:
                continue
            left = (end - due).days
            notices.append(
                Notice(
                    "registration",
                    reg.registration_id,
                    reg.partner_id,
                    "protection_reminder",
                    days,
                    due,
                    f"Registration {reg.registration_id} was approved {days} days ago; protection "
                    f"expires on {end.isoformat()} ({left} days left). Request an extension if the "
                    "deal is still being worked.",
                )
            )
        if _in_window(end, today, lookback_days) and (reg.closed_on is None or reg.closed_on > end):
            notices.append(
                Notice(
                    "registration",
                    reg.registration_id,
                    reg.partner_id,
                    "protection_expired",
                    (end - reg.approved_on).days,
                    end,
                    f"Protection of registration {reg.registration_id} expired on {end.isoformat()}; "
                    "the opportunity is open to other partners again.",
                )
            )
    return notices


def certification_notices(
    certifications: Iterable[Certification],
    today: date,
    days_before: Sequence[int] = (60, 30, 7),
    lookback_days: int = 7,
) -> list[Notice]:
    """Certification alerts due on ``today``: ``days_before`` expiry, and on the day it lapses."""
    notices = []
    for cert in certifications:
        for days in sorted(set(days_before), reverse=True):
            due = cert.expires_on - timedelta(days=days)
            if _in_window(due, today, lookback_days):
                notices.append(
                    Notice(
                        "certification",
                        cert.certification_id,
                        cert.partner_id,
                        "expiry_alert",
                        days,
                        due,
                        f"Certification {cert.certification_id} of contact {cert.contact_id} expires "
                        f"on {cert.expires_on.isoformat()} ({days} days). Renew it to keep it "
                        "counting towards the partner's tier.",
                    )
                )
        if _in_window(cert.expires_on, today, lookback_days):
            notices.append(
                Notice(
                    "certification",
                    cert.certification_id,
                    cert.partner_id,
                    "lapsed",
                    0,
                    cert.expires_on,
                    f"Certification {cert.certification_id} of contact {cert.contact_id} lapsed on "
                    f"{cert.expires_on.isoformat()}; it no longer counts towards the partner's tier.",
                )
            )
    return notices


def compliance_notices(
    partners_without_dpa: Iterable[tuple[str, str]], today: date
) -> list[Notice]:
    """One notice per partner without a current signed DPA: it is restricted (no customer-level
    data shared with it) until it signs. Once per partner: the outbox key has no date in it."""
    return [
        Notice(
            "partner",
            partner_id,
            partner_id,
            "restricted_no_dpa",
            0,
            today,
            f"{name} has no current signed data-processing agreement: it is restricted, and no "
            "customer-level data is shared with it until the DPA is signed.",
        )
        for partner_id, name in partners_without_dpa
    ]


ExtensionDecision = Literal["approved", "review"]


def extension_decision(
    requested_on: date, last_activity_on: date | None, activity_window_days: int
) -> tuple[ExtensionDecision, str]:
    """Approve a pending extension when the deal had logged activity in the window before the
    request; otherwise leave it for a channel manager, saying why."""
    # activity logged after the request (before the engine ran) counts as recent too
    if (
        last_activity_on is not None
        and (requested_on - last_activity_on).days <= activity_window_days
    ):
        return (
            "approved",
            f"activity logged on {last_activity_on.isoformat()}, within {activity_window_days} days "
            "of the request",
        )
    seen = (
        f"last activity {last_activity_on.isoformat()}"
        if last_activity_on
        else "no activity logged"
    )
    return "review", f"{seen}: nothing in the {activity_window_days} days before the request"
