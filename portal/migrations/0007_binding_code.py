import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The authenticator's one-time code (绑定码) is called a binding code everywhere."""

    dependencies = [
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
    ]
