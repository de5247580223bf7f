"""python manage.py start_year --region 370300 --from 2027 --to 2028 [--dry-run]"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.accounts.admin_site import error_text
from portal.standards.cycle import region_of, year_start


class Command(BaseCommand):
    help = "从上一年度复制统筹区的各项年度标准（缴费标准、待遇政策、预警线），作为新年度的草稿；不发布。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--region", required=True, help="统筹区（市）区划代码，如 370300")
        parser.add_argument("--from", dest="source_year", type=int, required=True, help="复制来源年度，如 2027")
        parser.add_argument("--to", dest="year", type=int, required=True, help="新年度，如 2028")
        parser.add_argument("--dry-run", action="store_true", help="只列出将要新建的草稿，不写入")

    def handle(self, *args, region, source_year, year, dry_run, **options) -> None:
        try:
            started = year_start(region=region_of(region), source_year=source_year, year=year, dry_run=dry_run)
        except ValidationError as error:
            raise CommandError(error_text(error)) from error
        for name in started.made:
            self.stdout.write(f"  {name}")
        if dry_run:
            self.stdout.write(f"预演：将新建以上 {len(started.made)} 项草稿，什么都没有写入。")
        else:
            self.stdout.write(f"已新建 {year} 年度草稿 {len(started.made)} 项（均未发布），请核对修改后逐项发布。")
