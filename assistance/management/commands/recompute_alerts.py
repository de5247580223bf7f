"""`python manage.py recompute_alerts --year 2022 [--reassistance]`

Links settlements to people who registered after they were imported, recomputes every person's
burden of a year and opens the alerts that are due (after officers change a threshold, say);
alerts already raised keep their status. With
--reassistance it also recomputes the year's re-assistance of every pooling region with a
benefit policy (approved grants are left as they are).
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from assistance.models import Settlement
from assistance.settlements.services import alerts_refresh, reassistance_compute, settlements_link_residents
from portal.network.codes import pooling_region_code
from portal.network.models import Region


class Command(BaseCommand):
    help = "按就医结算记录重新计算某年度的高额费用预警（及再救助）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, required=True, help="年度，如 2022")
        parser.add_argument("--reassistance", action="store_true", help="同时重新计算再救助")

    def handle(self, *args, **options) -> None:
        year = options["year"]
        linked = settlements_link_residents()
        if linked:
            self.stdout.write(f"{linked} 条结算记录的参保人已在本地登记，已关联")
        report = alerts_refresh(year=year)
        self.stdout.write(f"{year} 年度：新开预警 {report.opened} 条，更新 {report.updated} 条")
        for code in sorted(report.without_threshold):
            self.stdout.write(self.style.WARNING(f"统筹区 {code} 没有设置 {year} 年度预警线，未生成预警"))
        if not options["reassistance"]:
            return
        codes = Settlement.objects.for_year(year).filter(resident__isnull=False).values_list(
            "resident__region__code", flat=True).distinct()
        for city in Region.objects.filter(code__in={pooling_region_code(code) for code in codes}):
            try:
                result = reassistance_compute(year=year, city=city)
            except ValidationError as error:
                self.stdout.write(self.style.WARNING(f"{city.name}：{error.messages[0]}"))
                continue
            self.stdout.write(f"{city.name}：再救助 {result.computed} 人，已审批未重算 {result.approved_kept} 人")
