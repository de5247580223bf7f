"""Re-encrypt every stored ID number under the current ID_NUMBER_KEY, while the portal runs.

Procedure (SECURITY.md, "Rotating the ID-number key"): set ID_DIGEST_KEY to the old key (so the
lookup digests stay what they were), ID_NUMBER_KEY_PREVIOUS to the old key and ID_NUMBER_KEY to
the new one; restart the web workers; run this command; when it reports nothing left, remove
ID_NUMBER_KEY_PREVIOUS.

Every model with an ``id_number_encrypted`` column (or another column the same key encrypts,
ENCRYPTED_FIELDS) is found through the apps registry, so the portal app needs no import of the
apps that hold ID numbers. Rows are rewritten in batches, each
in its own short transaction with the rows locked, so clerks keep working and an interrupted run
simply continues where it stopped: a row already under the current key is never touched again.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.privacy.id_vault import current_prefix, id_decrypt, id_digest, id_encrypt

ENCRYPTED_FIELD = "id_number_encrypted"
# Columns the ID-number key encrypts too; empty where nothing was recorded.
ENCRYPTED_FIELDS = (ENCRYPTED_FIELD, "payout_account_encrypted", "birth_certificate_encrypted")
DIGEST_FIELD = "id_digest"


def encrypted_columns() -> list[tuple]:
    """(model, column) of every encrypted column in the project."""
    return [
        (model, field.name) for model in apps.get_models() for field in model._meta.concrete_fields
        if field.name in ENCRYPTED_FIELDS
    ]


def _label(model) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


class Command(BaseCommand):
    help = "把所有已存储的身份证号用当前密钥 ID_NUMBER_KEY 重新加密（分批进行，可中断后继续）。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000, help="每个事务处理的行数（默认 5000）")

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size 必须是正整数。")
        prefix = current_prefix()
        for model, column in encrypted_columns():
            rotated = self._rotate_model(model, column, prefix=prefix, batch_size=batch_size)
            self.stdout.write(f"{_label(model)}.{column}: 重新加密 {rotated} 行")
        left = sum(self._pending(model, column, prefix).count() for model, column in encrypted_columns())
        if left:
            raise CommandError(f"仍有 {left} 行未用当前密钥加密，请检查后重新运行。")
        self.stdout.write(self.style.SUCCESS("全部身份证号已使用当前密钥加密。可以删除 ID_NUMBER_KEY_PREVIOUS。"))

    @staticmethod
    def _pending(model, column: str, prefix: str):
        return model._default_manager.exclude(**{f"{column}__startswith": prefix}).exclude(**{column: ""})

    def _rotate_model(self, model, column: str, *, prefix: str, batch_size: int) -> int:
        # The digest is of the ID number: checked when that is the column rotated.
        has_digest = column == ENCRYPTED_FIELD and any(field.name == DIGEST_FIELD for field in model._meta.concrete_fields)
        columns = ["pk", column] + ([DIGEST_FIELD] if has_digest else [])
        rotated, after = 0, 0
        while True:
            with transaction.atomic():
                rows = list(
                    self._pending(model, column, prefix).filter(pk__gt=after).order_by("pk")
                    .select_for_update().only(*columns[1:])[:batch_size]
                )
                if not rows:
                    return rotated
                for row in rows:
                    self._reencrypt(model, row, column, check_digest=has_digest)
                model._default_manager.bulk_update(rows, [column])
            rotated += len(rows)
            after = rows[-1].pk
            self.stdout.write(f"{_label(model)}: 已处理至 id {after}（累计 {rotated} 行）")

    @staticmethod
    def _reencrypt(model, row, column: str, *, check_digest: bool) -> None:
        try:
            number = id_decrypt(getattr(row, column))
        except Exception as error:  # a wrong key shows as ValueError or AES-GCM's InvalidTag
            raise CommandError(
                f"{_label(model)} id {row.pk} 无法解密：请确认 ID_NUMBER_KEY_PREVIOUS 是原来的密钥。"
                "本批次未作修改，已处理的批次保持有效。"
            ) from error
        # A digest that no longer matches means ID_DIGEST_KEY was not set to the old key: every
        # lookup by ID number would then miss, so stop before anything else is written.
        if check_digest and id_digest(number) != getattr(row, DIGEST_FIELD):
            raise CommandError(
                f"{_label(model)} id {row.pk} 的身份证号摘要与当前摘要密钥不符：请把 ID_DIGEST_KEY 设为原来的密钥后再运行。"
            )
        setattr(row, column, id_encrypt(number))
