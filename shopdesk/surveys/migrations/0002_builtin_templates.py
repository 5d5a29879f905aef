"""The four built-in questionnaires (templates_builtin.py) as published version 1 templates.

Idempotent: a questionnaire whose code already exists is left as it is, so running it again, or
after someone made their own questionnaire with that code, changes nothing.
"""

from django.db import migrations
from django.utils import timezone

from shopdesk.surveys.templates_builtin import BUILTIN_TEMPLATES


def forwards(apps, schema_editor):
    Questionnaire = apps.get_model("surveys", "Questionnaire")
    QuestionnaireVersion = apps.get_model("surveys", "QuestionnaireVersion")
    Dimension = apps.get_model("surveys", "Dimension")
    Question = apps.get_model("surveys", "Question")
    now = timezone.now()
    for spec in BUILTIN_TEMPLATES:
        if Questionnaire.objects.filter(code=spec.code).exists():
            continue
        questionnaire = Questionnaire.objects.create(
            code=spec.code,
            kind=spec.kind.value,
            name_zh=spec.name_zh,
            name_en=spec.name_en,
            is_template=True,
        )
        version = QuestionnaireVersion.objects.create(
            questionnaire=questionnaire,
            number=1,
            status="published",
            published_at=now,
            title_zh=spec.name_zh,
            title_en=spec.name_en,
            intro_zh=spec.intro_zh,
            intro_en=spec.intro_en,
            thanks_zh=spec.thanks_zh,
            thanks_en=spec.thanks_en,
            overall_code=spec.overall_code,
        )
        dimensions = {
            d.code: Dimension.objects.create(
                version=version,
                code=d.code,
                name_zh=d.name_zh,
                name_en=d.name_en,
                position=position,
                weight=d.weight,
            )
            for position, d in enumerate(spec.dimensions)
        }
        Question.objects.bulk_create(
            Question(
                version=version,
                dimension=dimensions[d.code] if d is not None else None,
                code=q.code,
                position=position,
                kind=q.kind.value,
                text_zh=q.text_zh,
                text_en=q.text_en,
                required=q.required,
                show_if=dict(q.show_if),
            )
            for position, (d, q) in enumerate(spec.all_questions())
        )


def backwards(apps, schema_editor):
    Questionnaire = apps.get_model("surveys", "Questionnaire")
    codes = [spec.code for spec in BUILTIN_TEMPLATES]
    Questionnaire.objects.filter(code__in=codes, is_template=True).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
