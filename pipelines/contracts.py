"""The data contract of every feed: one place that names each entity, its columns, types and keys.

The world generator writes what this module describes, the dlt sources validate against it (rows that
break it are quarantined with a reason, never dropped), and the dbt sources yml mirrors it (a test keeps
the two in step). Column names are the names as they arrive from the source system; staging models
rename them to house style.

Types (``Column.type``):
    string, integer, decimal (money, 18,2), double, boolean, date (YYYY-MM-DD),
    timestamp (ISO-8601, UTC; stored as timestamptz).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

TYPES = ("string", "integer", "decimal", "double", "boolean", "date", "timestamp")
SYSTEMS = ("crm", "lms", "tcma", "finance")

PARTNER_TYPES = ("reseller", "referral", "msp", "si", "distributor")
VERTICALS = (
    "healthcare",
    "financial_services",
    "manufacturing",
    "retail",
    "public_sector",
    "technology",
    "education",
    "energy",
)
REGIONS = ("NA", "EMEA", "APAC", "LATAM")
TIERS = ("registered", "silver", "gold", "platinum")
# HubSpot's default sales pipeline stage ids, in funnel order.
DEAL_STAGES = (
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
)
PRODUCT_LINES = ("platform", "security", "analytics", "networking", "services")
PERSON_ROLES = ("sales", "technical", "marketing", "executive")
TOUCH_TYPES = ("referral", "co_sell", "service", "content_share")
MDF_ACTIVITY_TYPES = ("event", "digital_campaign", "webinar", "content", "training", "trade_show")


FISCAL_QUARTER = r"[0-9]{4}-Q[1-4]"  # 2025-Q3: the marts read the year and quarter from it


@dataclass(frozen=True)
class Column:
    """One column of a feed entity."""

    name: str
    type: str
    required: bool = False
    enum: tuple[str, ...] | None = None
    nonnegative: bool = False
    pii: bool = False
    pattern: str | None = None  # a regular expression the whole value must match (strings)
    description: str = ""

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"column {self.name}: unknown type {self.type!r}")


@dataclass(frozen=True)
class Entity:
    """One table of one source system, as it lands in ``raw_<system>.<name>``."""

    system: str
    name: str
    primary_key: str
    columns: tuple[Column, ...]
    write_disposition: str  # merge (mutable entities) | append (immutable events) | replace
    cursor: str | None = None  # incremental cursor column, where the data allows one
    file_format: str | None = None  # jsonl | csv | parquet for file drops; None for the CRM API
    description: str = ""
    references: dict[str, str] = field(default_factory=dict)  # column -> "system.entity"

    @property
    def dataset(self) -> str:
        return f"raw_{self.system}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.system}.{self.name} has no column {name}")


def _c(name: str, type_: str = "string", **kw: object) -> Column:
    return Column(name, type_, **kw)  # type: ignore[arg-type]


def _crm(name: str, columns: list[Column], description: str, **kw: object) -> Entity:
    """CRM objects share HubSpot's envelope: id, createdAt, updatedAt, archived."""
    envelope = [
        _c("id", required=True, description="CRM record id"),
        *columns,
        _c("created_at", "timestamp", required=True, description="createdAt of the CRM record"),
        _c("updated_at", "timestamp", required=True, description="updatedAt (hs_lastmodifieddate)"),
        _c("archived", "boolean", description="archived flag of the CRM record"),
    ]
    kw.setdefault("write_disposition", "merge")
    kw.setdefault("cursor", "updated_at")
    return Entity("crm", name, "id", tuple(envelope), description=description, **kw)  # type: ignore[arg-type]


CRM = (
    _crm(
        "partners",
        [
            _c("partner_name", required=True),
            _c("partner_type", required=True, enum=PARTNER_TYPES),
            _c("vertical", required=True, enum=VERTICALS),
            _c("region", required=True, enum=REGIONS),
            _c(
                "tier",
                required=True,
                enum=TIERS,
                description="tier at enrolment or as last written",
            ),
            _c("status", required=True, enum=("applied", "approved", "active", "churned")),
            _c("website_domain"),
            _c("applied_date", "date"),
            _c("approved_date", "date"),
            _c("enrolled_date", "date", description="programme enrolment date (TTPP starts here)"),
            _c("contract_status", enum=("pending", "signed", "expired", "terminated")),
            _c("contract_signed_date", "date"),
            _c("dpa_status", enum=("not_sent", "sent", "signed", "expired")),
            _c("dpa_version"),
            _c("dpa_signed_date", "date"),
            _c("external_id", required=True, description="partner key shared with PRM/finance"),
        ],
        "Channel partners (HubSpot custom object).",
    ),
    _crm(
        "contacts",
        [
            _c("partner_id", required=True),
            _c("firstname"),
            _c("lastname"),
            _c("email", pii=True),
            _c("phone", pii=True),
            _c("job_role", required=True, enum=PERSON_ROLES),
            _c("jobtitle"),
        ],
        "People who work at partners.",
        references={"partner_id": "crm.partners"},
    ),
    _crm(
        "companies",
        [
            _c("name", required=True),
            _c("domain"),
            _c(
                "parent_company_id", description="parent account (hierarchy); null for a top parent"
            ),
            _c("industry", enum=VERTICALS),
            _c("region", enum=REGIONS),
            _c("country"),
            _c("numberofemployees", "integer", nonnegative=True),
            _c("annualrevenue", "decimal", nonnegative=True),
        ],
        "Customer accounts, with parent/subsidiary hierarchy.",
    ),
    _crm(
        "products",
        [
            _c("sku", required=True),
            _c("name", required=True),
            _c("product_line", required=True, enum=PRODUCT_LINES),
            _c("price", "decimal", nonnegative=True),
        ],
        "Product catalogue.",
    ),
    _crm(
        "deals",
        [
            _c("dealname", required=True),
            _c("company_id"),
            _c("product_id"),
            _c("partner_id", description="partner of record; null for a pure direct deal"),
            _c("registration_id", description="deal registration this deal came from"),
            _c("lead_id", description="TCMA lead this deal converted from"),
            _c(
                "deal_source",
                required=True,
                enum=("direct", "partner_registration", "partner_referral", "marketing_lead"),
            ),
            _c("pipeline"),
            _c("dealstage", required=True, enum=DEAL_STAGES),
            _c("amount", "decimal", nonnegative=True),
            _c("deal_currency_code"),
            _c("createdate", "timestamp"),
            _c("closedate", "date", description="expected close date; actual once closed"),
            _c("hubspot_owner_name", description="direct sales owner"),
        ],
        "Opportunities, direct and partner.",
        references={
            "company_id": "crm.companies",
            "partner_id": "crm.partners",
            "product_id": "crm.products",
            "registration_id": "crm.registrations",
        },
    ),
    _crm(
        "deal_stage_changes",
        [
            _c("deal_id", required=True),
            _c("dealstage", required=True, enum=DEAL_STAGES),
            _c("entered_at", "timestamp", required=True),
        ],
        "One row per stage a deal entered (immutable).",
        write_disposition="append",
        cursor="created_at",
        references={"deal_id": "crm.deals"},
    ),
    _crm(
        "registrations",
        [
            _c("partner_id", required=True),
            _c("deal_id", description="deal created from the registration, once approved"),
            _c("registered_company_name", required=True, description="as typed by the partner"),
            _c("registered_domain"),
            _c("product_id"),
            _c("estimated_amount", "decimal", nonnegative=True),
            _c(
                "registration_status",
                required=True,
                enum=("submitted", "approved", "rejected", "expired", "closed"),
            ),
            _c("submitted_at", "timestamp", required=True),
            _c("decided_at", "timestamp"),
            _c("rejection_reason"),
            _c("expires_date", "date"),
            _c("extension_requested_at", "timestamp"),
            _c("extension_status", enum=("pending", "approved", "denied")),
            _c("extended_until_date", "date"),
        ],
        "Deal registrations submitted by partners.",
        references={"partner_id": "crm.partners", "deal_id": "crm.deals"},
    ),
    _crm(
        "touches",
        [
            _c("deal_id", required=True),
            _c("partner_id", required=True),
            _c("touch_type", required=True, enum=TOUCH_TYPES),
            _c("touched_at", "timestamp", required=True),
            _c("asset_id", description="TCMA asset shared, for content_share touches"),
        ],
        "Partner touches on opportunities (immutable).",
        write_disposition="append",
        cursor="created_at",
        references={"deal_id": "crm.deals", "partner_id": "crm.partners"},
    ),
)


def _file(system: str, name: str, fmt: str, pk: str, columns: list[Column], description: str, **kw):
    kw.setdefault("write_disposition", "merge")
    return Entity(system, name, pk, tuple(columns), file_format=fmt, description=description, **kw)


LMS = (
    _file(
        "lms",
        "courses",
        "jsonl",
        "course_id",
        [
            _c("course_id", required=True),
            _c("title", required=True),
            _c("course_type", required=True, enum=("course", "certification")),
            _c("role", required=True, enum=PERSON_ROLES),
            _c("product_line", enum=PRODUCT_LINES),
            _c("level", "integer", nonnegative=True),
            _c("duration_hours", "double", nonnegative=True),
            _c("points", "integer", nonnegative=True),
            _c("validity_days", "integer", nonnegative=True, description="certifications only"),
            _c("updated_at", "timestamp", required=True),
        ],
        "Course and certification catalogue.",
        cursor="updated_at",
    ),
    _file(
        "lms",
        "learning_path_steps",
        "jsonl",
        "step_id",
        [
            _c("step_id", required=True),
            _c("path_id", required=True),
            _c("path_name", required=True),
            _c("role", required=True, enum=PERSON_ROLES),
            _c("step_no", "integer", required=True, nonnegative=True),
            _c("course_id", required=True),
            _c("updated_at", "timestamp", required=True),
        ],
        "Role-based learning paths, one row per ordered step.",
        cursor="updated_at",
        references={"course_id": "lms.courses"},
    ),
    _file(
        "lms",
        "enrolments",
        "jsonl",
        "enrolment_id",
        [
            _c("enrolment_id", required=True),
            _c("contact_id", required=True),
            _c("partner_id", required=True),
            _c("course_id", required=True),
            _c("status", required=True, enum=("enrolled", "in_progress", "completed", "dropped")),
            _c("progress_pct", "double", nonnegative=True),
            _c("score", "double", nonnegative=True),
            _c("enrolled_at", "timestamp", required=True),
            _c("completed_at", "timestamp"),
            _c("updated_at", "timestamp", required=True),
        ],
        "Course enrolments and their completion (mutable).",
        cursor="updated_at",
        references={"course_id": "lms.courses", "contact_id": "crm.contacts"},
    ),
    _file(
        "lms",
        "certifications",
        "jsonl",
        "certification_id",
        [
            _c("certification_id", required=True),
            _c("contact_id", required=True),
            _c("partner_id", required=True),
            _c("course_id", required=True),
            _c("status", required=True, enum=("active", "expired", "revoked")),
            _c("certified_at", "timestamp", required=True),
            _c("expires_at", "timestamp"),
            _c("updated_at", "timestamp", required=True),
        ],
        "Certifications earned, with expiry (mutable: status changes).",
        cursor="updated_at",
        references={"course_id": "lms.courses", "contact_id": "crm.contacts"},
    ),
    _file(
        "lms",
        "points_ledger",
        "jsonl",
        "event_id",
        [
            _c("event_id", required=True),
            _c("contact_id", required=True),
            _c("partner_id", required=True),
            _c(
                "event_type",
                required=True,
                enum=("course_completed", "certification_earned", "badge_awarded", "login_streak"),
            ),
            _c("badge"),
            _c("points", "integer", required=True),
            _c("occurred_at", "timestamp", required=True),
        ],
        "Gamification: points and badges (immutable).",
        write_disposition="append",
        cursor="occurred_at",
    ),
    _file(
        "lms",
        "learning_events",
        "jsonl",
        "event_id",
        [
            _c("event_id", required=True),
            _c("enrolment_id", required=True),
            _c("contact_id", required=True),
            _c(
                "activity_type",
                required=True,
                enum=("module_started", "module_completed", "video_watched", "quiz_attempt"),
            ),
            _c("duration_seconds", "integer", nonnegative=True),
            _c("occurred_at", "timestamp", required=True),
        ],
        "Learner activity stream (immutable, high volume).",
        write_disposition="append",
        cursor="occurred_at",
        references={"enrolment_id": "lms.enrolments"},
    ),
)

TCMA = (
    _file(
        "tcma",
        "campaigns",
        "csv",
        "campaign_id",
        [
            _c("campaign_id", required=True),
            _c("campaign_name", required=True),
            _c(
                "campaign_type",
                required=True,
                enum=("email", "social", "webinar", "event", "paid_search", "content_syndication"),
            ),
            _c("product_line", enum=PRODUCT_LINES),
            _c("budget", "decimal", nonnegative=True),
            _c("start_date", "date"),
            _c("end_date", "date"),
            _c("updated_at", "timestamp", required=True),
        ],
        "Through-channel campaigns offered to partners.",
        cursor="updated_at",
    ),
    _file(
        "tcma",
        "assets",
        "csv",
        "asset_id",
        [
            _c("asset_id", required=True),
            _c("asset_name", required=True),
            _c(
                "asset_type",
                required=True,
                enum=("pdf", "email_template", "social_post", "video", "web_banner"),
            ),
            _c("product_line", enum=PRODUCT_LINES),
            _c("campaign_id"),
            _c("updated_at", "timestamp", required=True),
        ],
        "Co-brandable marketing assets.",
        cursor="updated_at",
    ),
    _file(
        "tcma",
        "campaign_executions",
        "csv",
        "execution_id",
        [
            _c("execution_id", required=True),
            _c("campaign_id", required=True),
            _c("partner_id", required=True, description="partner external_id"),
            _c("mdf_request_id", description="finance MDF request that funded it"),
            _c("status", required=True, enum=("launched", "completed", "cancelled")),
            _c("spend", "decimal", nonnegative=True),
            _c("launched_at", "timestamp", required=True),
            _c("completed_at", "timestamp"),
            _c("updated_at", "timestamp", required=True),
        ],
        "A partner running a campaign (mutable).",
        cursor="updated_at",
        references={"campaign_id": "tcma.campaigns"},
    ),
    _file(
        "tcma",
        "asset_usage",
        "csv",
        "usage_id",
        [
            _c("usage_id", required=True),
            _c("asset_id", required=True),
            _c("partner_id", required=True),
            _c("execution_id"),
            _c("deal_id", description="CRM deal the asset was attached to, if any"),
            _c(
                "usage_type",
                required=True,
                enum=(
                    "cobranded_download",
                    "email_send",
                    "social_post",
                    "attached_to_deal",
                    "web_syndication",
                ),
            ),
            _c("used_at", "timestamp", required=True),
        ],
        "Co-branded asset usage (immutable).",
        write_disposition="append",
        cursor="used_at",
        references={"asset_id": "tcma.assets"},
    ),
    _file(
        "tcma",
        "leads",
        "csv",
        "lead_id",
        [
            _c("lead_id", required=True),
            _c("execution_id"),
            _c("campaign_id", required=True),
            _c("partner_id"),
            _c("company_id", description="CRM company the lead belongs to"),
            _c("lead_email", pii=True),
            _c("status", required=True, enum=("new", "qualified", "disqualified", "converted")),
            _c("converted_deal_id"),
            _c("created_at", "timestamp", required=True),
            _c("updated_at", "timestamp", required=True),
        ],
        "Leads generated by campaigns (mutable: status).",
        cursor="updated_at",
        references={"campaign_id": "tcma.campaigns"},
    ),
    _file(
        "tcma",
        "engagement_events",
        "parquet",
        "event_id",
        [
            _c("event_id", required=True),
            _c("execution_id", required=True),
            _c("event_type", required=True, enum=("impression", "open", "click", "form_fill")),
            _c("occurred_at", "timestamp", required=True),
        ],
        "Campaign engagement stream (immutable, high volume).",
        write_disposition="append",
        cursor="occurred_at",
        references={"execution_id": "tcma.campaign_executions"},
    ),
)

FINANCE = (
    _file(
        "finance",
        "mdf_budgets",
        "csv",
        "budget_id",
        [
            _c("budget_id", required=True),
            _c("fiscal_quarter", required=True, pattern=FISCAL_QUARTER, description="e.g. 2025-Q3"),
            _c("region", required=True, enum=REGIONS),
            _c("tier", required=True, enum=TIERS),
            _c("amount", "decimal", required=True, nonnegative=True),
            _c("currency", required=True),
            _c("updated_at", "timestamp", required=True),
        ],
        "MDF budget per quarter, region and tier.",
        cursor="updated_at",
    ),
    _file(
        "finance",
        "mdf_allocations",
        "csv",
        "allocation_id",
        [
            _c("allocation_id", required=True),
            _c("budget_id", required=True),
            _c("partner_id", required=True),
            _c("amount", "decimal", required=True, nonnegative=True),
            _c("currency", required=True),
            _c("allocated_date", "date", required=True),
            _c("expires_date", "date"),
            _c("updated_at", "timestamp", required=True),
        ],
        "MDF allocated to a partner from a budget.",
        cursor="updated_at",
        references={"budget_id": "finance.mdf_budgets"},
    ),
    _file(
        "finance",
        "mdf_requests",
        "parquet",
        "request_id",
        [
            _c("request_id", required=True),
            _c("allocation_id", required=True),
            _c("partner_id", required=True),
            _c("activity_type", required=True, enum=MDF_ACTIVITY_TYPES),
            _c("campaign_id", description="TCMA campaign the activity runs"),
            _c("requested_amount", "decimal", required=True, nonnegative=True),
            _c("approved_amount", "decimal", nonnegative=True),
            _c("estimated_pipeline", "decimal", nonnegative=True),
            _c("partner_coinvest_amount", "decimal", nonnegative=True),
            _c("currency", required=True),
            _c(
                "status",
                required=True,
                enum=("submitted", "approved", "rejected", "cancelled", "completed"),
            ),
            _c("submitted_at", "timestamp", required=True),
            _c("decided_at", "timestamp"),
            _c("updated_at", "timestamp", required=True),
        ],
        "MDF requests and their approval (mutable).",
        cursor="updated_at",
        references={"allocation_id": "finance.mdf_allocations"},
    ),
    _file(
        "finance",
        "mdf_claims",
        "parquet",
        "claim_id",
        [
            _c("claim_id", required=True),
            _c("request_id", required=True),
            _c("partner_id", required=True),
            _c("claimed_amount", "decimal", required=True, nonnegative=True),
            _c("currency", required=True),
            _c("has_proof_of_performance", "boolean", required=True),
            _c("proof_type", enum=("invoice", "photos", "attendee_list", "report", "screenshot")),
            _c("status", required=True, enum=("submitted", "approved", "rejected", "paid")),
            _c("submitted_at", "timestamp", required=True),
            _c("decided_at", "timestamp"),
            _c("updated_at", "timestamp", required=True),
        ],
        "MDF claims with proof-of-performance (mutable).",
        cursor="updated_at",
        references={"request_id": "finance.mdf_requests"},
    ),
    _file(
        "finance",
        "mdf_payments",
        "csv",
        "payment_id",
        [
            _c("payment_id", required=True),
            _c("claim_id", required=True),
            _c("partner_id", required=True),
            _c("amount", "decimal", required=True, nonnegative=True),
            _c("currency", required=True),
            _c("paid_at", "timestamp", required=True),
        ],
        "MDF reimbursements paid (immutable).",
        write_disposition="append",
        cursor="paid_at",
        references={"claim_id": "finance.mdf_claims"},
    ),
    _file(
        "finance",
        "rebate_payments",
        "csv",
        "rebate_payment_id",
        [
            _c("rebate_payment_id", required=True),
            _c("partner_id", required=True),
            _c("fiscal_quarter", required=True, pattern=FISCAL_QUARTER, description="e.g. 2025-Q3"),
            _c("program", required=True, enum=("volume_rebate", "growth_bonus", "spiff")),
            _c("amount", "decimal", required=True, nonnegative=True),
            _c("currency", required=True),
            _c("paid_at", "timestamp", required=True),
        ],
        "Rebates paid to partners (immutable).",
        write_disposition="append",
        cursor="paid_at",
    ),
    _file(
        "finance",
        "company_revenue",
        "csv",
        "revenue_id",
        [
            _c("revenue_id", required=True, description="<period_month>-<region>"),
            _c("period_month", "date", required=True),
            _c("region", required=True, enum=REGIONS),
            _c("total_revenue", "decimal", required=True, nonnegative=True),
            _c("currency", required=True),
            _c("updated_at", "timestamp", required=True),
        ],
        "Total company revenue (direct + partner) per month and region, for PCR.",
        cursor="updated_at",
    ),
)

ENTITIES: tuple[Entity, ...] = CRM + LMS + TCMA + FINANCE


def entities(system: str | None = None) -> Iterator[Entity]:
    """All contract entities, optionally of one system."""
    return (e for e in ENTITIES if system is None or e.system == system)


def entity(system: str, name: str) -> Entity:
    """The contract entity ``system.name``."""
    for e in ENTITIES:
        if e.system == system and e.name == name:
            return e
    raise KeyError(f"no entity {system}.{name} in the contract")
