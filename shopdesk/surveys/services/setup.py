"""Setting up a survey: which published questionnaire, who is asked, when and how."""

from django.db import transaction
from django.utils.translation import gettext

from shopdesk.core.errors import DomainError
from shopdesk.surveys.errors import SurveysErrorCode
from shopdesk.surveys.models import Survey
from shopdesk.surveys.states import Channel, VersionStatus


def survey_problems(survey: Survey) -> list[str]:
    """What is wrong with a survey's settings, in words (empty: it can be saved)."""
    problems = []
    if survey.version_id is None or survey.version.status != VersionStatus.PUBLISHED:
        problems.append(gettext("Choose a published questionnaire version."))
    if not 0.0 <= survey.sample_rate <= 1.0:
        problems.append(gettext("The share of customers asked must be between 0 and 1."))
    unknown = [c for c in survey.channels if c not in Channel.values]
    if unknown:
        problems.append(
            gettext("Unknown channels %(u)s; use %(all)s.")
            % {"u": ", ".join(map(str, unknown)), "all": ", ".join(Channel.values)}
        )
    if not survey.channels:
        problems.append(gettext("Choose at least one channel (e-mail, SMS or portal)."))
    if survey.link_days < 1:
        problems.append(gettext("The link must be valid for at least one day."))
    if survey.reminder_days and survey.reminder_days >= survey.link_days:
        problems.append(gettext("The reminder must go out before the link expires."))
    return problems


def survey_save(*, survey: Survey) -> Survey:
    """Create or change a survey after checking its settings.

    Raises:
        DomainError: the settings are not usable (every problem listed).
    """
    problems = survey_problems(survey)
    if problems:
        raise DomainError(" ".join(problems), code=SurveysErrorCode.BAD_SETTINGS)
    with transaction.atomic():
        survey.save()
    return survey
