# Written by hand (issue #9 scope 3): 0003 (member list indexes) is written alongside.

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0003_member_list_indexes'),
        ('org', '0003_alter_rolegrant_scope'),
    ]

    operations = [
        migrations.CreateModel(
            name='Reconciliation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                ('quarter', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(4)], verbose_name='quarter')),
                ('figures', models.JSONField(default=dict, editable=False, verbose_name='figures')),
                ('confirmed_at', models.DateTimeField(verbose_name='confirmed')),
                ('note', models.CharField(blank=True, max_length=500, verbose_name='note')),
                ('confirmed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='confirmed by')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit', verbose_name='party cell or committee')),
            ],
            options={
                'verbose_name': 'quarterly reconciliation',
                'verbose_name_plural': 'quarterly reconciliations',
                'ordering': ['-year', '-quarter', 'unit'],
                'constraints': [models.UniqueConstraint(fields=('unit', 'year', 'quarter'), name='records_reconciliation_once', violation_error_message='The figures of this unit for this quarter are already confirmed.')],
            },
        ),
    ]
