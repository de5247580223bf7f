import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

ACTIONS = ("add", "change", "delete", "view")


def rename_permissions(apps, schema_editor):
    """RenameModel renames the table and the content type, not the permissions: give them the
    new model's codenames, keeping whoever holds them."""
    Permission = apps.get_model("auth", "Permission")
    for action in ACTIONS:
        Permission.objects.filter(content_type__app_label="portal", codename=f"{action}_authenticatorenrolment").update(
            codename=f"{action}_bindingcode", name=f"Can {action} 身份验证器绑定码")


def rename_permissions_back(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for action in ACTIONS:
        Permission.objects.filter(content_type__app_label="portal", codename=f"{action}_bindingcode").update(
            codename=f"{action}_authenticatorenrolment")


class Migration(migrations.Migration):
    """The authenticator's one-time code (绑定码) is called a binding code everywhere."""

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("portal", "0006_authenticator_enrolment"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel(old_name="AuthenticatorEnrolment", new_name="BindingCode"),
        migrations.AlterField(
            model_name="bindingcode",
            name="user",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE, related_name="binding_code",
                to=settings.AUTH_USER_MODEL, verbose_name="用户",
            ),
        ),
        migrations.RunPython(rename_permissions, rename_permissions_back),
    ]
