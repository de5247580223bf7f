"""参保证明: proofs of insurance a resident printed, kept so that their QR code can be checked."""

from django.db import models


class InsuranceProof(models.Model):
    """A proof issued to a resident for chosen years.

    ``statement`` is what the proof said, one entry per year as it stood when issued (year,
    coverage start and end, paid or not, the enrollment's id): the public check compares it with
    the enrollments today and says whether the proof still holds. It holds no name and no ID
    number; the check page shows the resident's masked name from the resident row.
    """

    resident = models.ForeignKey("enrollment.Resident", verbose_name="参保人", on_delete=models.PROTECT,
                                 related_name="+")
    years = models.CharField("证明年度", max_length=100)  # "2024,2025,2026", as chosen
    statement = models.JSONField("证明内容")
    # Opens the public check (/verify/proof/<code>/): random, like a receipt's.
    verification_code = models.CharField("核验码", max_length=32, unique=True, editable=False)
    issued_at = models.DateTimeField("开具时间", editable=False)

    class Meta:
        verbose_name = "参保证明"
        verbose_name_plural = "参保证明"
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return f"参保证明 {self.years}"

    @property
    def year_list(self) -> list[int]:
        return [int(year) for year in self.years.split(",")]

    @property
    def years_text(self) -> str:
        """"2024、2025", as the pages name the years."""
        return "、".join(self.years.split(","))
