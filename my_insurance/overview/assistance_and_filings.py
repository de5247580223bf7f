"""The resident's own assistance and treatment records on 我的医保: assistance identities (困难群众
身份), applications for assistance (依申请救助), 门诊慢特病 recognitions, re-assistance grants, and
the latest 异地就医备案 filings. Everything is read through the resident; the disease of a
recognition is theirs to see."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Max

from assistance.models import Application, AssistanceIdentity, ReassistanceGrant
from enrollment.models import Resident
from treatment.chronic.models import ChronicRecognition
from treatment.filings.models import Filing

# The filings page of 我的医保 lists them all; this page shows the latest few.
FILINGS_SHOWN = 5


@dataclass(frozen=True)
class AssistanceRecords:
    identities: list[tuple[AssistanceIdentity, str]]  # each with its state today
    applications: list[Application]  # each annotated with last_step_at
    recognitions: list[ChronicRecognition]
    grants: list[ReassistanceGrant]
    filings: list[tuple[Filing, str]]  # the latest, each with its state today
    more_filings: bool

    @property
    def count(self) -> int:
        return (len(self.identities) + len(self.applications) + len(self.recognitions) + len(self.grants)
                + len(self.filings))


def identity_state(identity: AssistanceIdentity, today: date) -> str:
    if identity.status != AssistanceIdentity.Status.VERIFIED:
        return identity.get_status_display()
    if today < identity.valid_from:
        return "已核实，尚未开始"
    if identity.valid_to is not None and identity.valid_to < today:
        return "已到期"
    return "有效"


def assistance_records(resident: Resident, *, today: date) -> AssistanceRecords:
    identities = AssistanceIdentity.objects.filter(id_digest=resident.id_digest).order_by("-valid_from", "pk")
    filings = list(Filing.objects.filter(resident=resident).order_by("-recorded_at", "-pk")[:FILINGS_SHOWN + 1])
    return AssistanceRecords(
        identities=[(identity, identity_state(identity, today)) for identity in identities],
        applications=list(Application.objects.filter(resident=resident).annotate(last_step_at=Max("steps__at"))
                          .order_by("-recorded_at", "-pk")),
        recognitions=list(ChronicRecognition.objects.filter(resident=resident).order_by("-recorded_at", "-pk")),
        grants=list(ReassistanceGrant.objects.filter(resident=resident).order_by("-year")),
        filings=[(filing, filing.state_on(today)) for filing in filings[:FILINGS_SHOWN]],
        more_filings=len(filings) > FILINGS_SHOWN,
    )
