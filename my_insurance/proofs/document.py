"""What a 参保证明 says, built once from the kept proof for both the printable page and the PDF,
so that the two always state the same."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from my_insurance.proofs.models import InsuranceProof
from portal.shared.vocabulary import Category

TITLE = "城乡居民基本医疗保险参保证明"
HOW_ISSUED = "开具方式：本人在城乡居民医保服务平台（我的医保）在线开具"
ONLINE_NOTE = "本证明可在线核验：扫描二维码或打开下方核验地址，可查看证明是否由本平台开具、所载年度现在是否仍然有效。"


@dataclass(frozen=True)
class ProofYear:
    year: str
    place: str
    category: str
    paid_on: str
    coverage_start: str
    coverage_end: str

    @property
    def payment(self) -> str:
        return f"已缴费（{self.paid_on}）"

    @property
    def coverage(self) -> str:
        return f"{self.coverage_start} 至 {self.coverage_end}"


@dataclass(frozen=True)
class ProofDocument:
    name: str
    masked_id: str
    gender: str
    pooling_region: str
    years: list[ProofYear]
    issued_on: date
    verify_url: str

    @property
    def opening(self) -> str:
        return f"兹证明 {self.name} 参加{self.pooling_region}城乡居民基本医疗保险，参保情况如下："

    @property
    def issued_text(self) -> str:
        return f"{self.issued_on.year}年{self.issued_on.month}月{self.issued_on.day}日"


def _year(entry: dict) -> ProofYear:
    def day(key: str) -> str:
        return f"{date.fromisoformat(entry[key]):%Y-%m-%d}"

    return ProofYear(
        year=f"{entry['year']} 年度", place=entry["place"], category=Category(entry["category"]).label,
        paid_on=day("paid_on"), coverage_start=day("coverage_start"), coverage_end=day("coverage_end"),
    )


def proof_document(proof: InsuranceProof, *, verify_url: str) -> ProofDocument:
    """The proof as issued: the years from its statement, the person's name, masked number and
    gender from their record (the statement holds no name or number)."""
    resident = proof.resident
    regions = list(dict.fromkeys(entry["pooling_region"] for entry in proof.statement))
    return ProofDocument(
        name=resident.name, masked_id=resident.id_masked, gender=resident.get_gender_display(),
        pooling_region="、".join(regions), years=[_year(entry) for entry in proof.statement],
        issued_on=timezone.localdate(proof.issued_at), verify_url=verify_url,
    )
